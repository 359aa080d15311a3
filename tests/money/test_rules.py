"""Every money rule asked directly, persona × object: member (Nora, in no circle), Finance member
(Mia), treasurer (of Finance), steward (Steve, of Finance), admin (Alice), outsider (Oscar), another
organisation's admin (Olga)."""

import rules

from governance.rules import forget_access_cache
from money import services

PERSONAS = ["nora", "mia", "treasurer", "steve", "alice", "oscar", "olga"]

GRID = {
    # rule: (object, who is allowed)
    "money.view_fund": ("fund", {"nora", "mia", "treasurer", "steve", "alice"}),
    "money.manage_fund": ("fund", {"alice"}),  # the Finance treasurer is not the general circle's
    "money.add_fund": ("organisation", {"alice"}),
    "money.view_budget": ("budget", {"nora", "mia", "treasurer", "steve", "alice"}),
    "money.add_spending": ("budget", {"mia", "treasurer", "steve"}),
    "money.view_spending": ("proposed", {"nora", "mia", "treasurer", "steve", "alice"}),
    "money.change_spending": ("proposed", {"mia"}),
    "money.record_payment": ("commitment", {"treasurer", "alice"}),
    "money.view_attachment": ("attachment", {"nora", "mia", "treasurer", "steve", "alice"}),
    "money.view_reports": ("organisation", {"nora", "mia", "treasurer", "steve", "alice"}),
}
DRAFT_GRID = {
    "money.view_spending": {"mia", "treasurer"},  # a draft: its author, and the treasurers
    "money.view_attachment": {"mia", "treasurer"},
}


def test_the_grid(world, money):
    from django.core.files.uploadedfile import SimpleUploadedFile

    mia = world.member(world.mia)
    proposed = services.spending_create(
        budget=money.budget, by=mia, title="S", amount="10.00", purpose="p", payee_name="P"
    )
    draft = services.spending_create(
        budget=money.budget, by=mia, title="D", amount="10.00", purpose="p", payee_name="P"
    )
    attachment = services.attachment_add(
        spending=draft, by=mia, file=SimpleUploadedFile("q.pdf", b"%PDF-1", content_type="application/pdf")
    )
    commitment = services.spending_commit(spending=proposed, by=None)
    proposed.refresh_from_db()
    objects = {
        "fund": money.fund,
        "organisation": world.organisation,
        "budget": money.budget,
        "proposed": proposed,
        "commitment": commitment,
        "attachment": attachment,
    }
    users = {p: (money.treasurer if p == "treasurer" else getattr(world, p)) for p in PERSONAS}
    for rule, (key, allowed) in GRID.items():
        for persona, user in users.items():
            forget_access_cache(user)
            obj = objects[key]
            if key == "attachment":
                obj.spending = proposed  # the same file, on a spending being decided
            assert rules.test_rule(rule, user, obj) is (persona in allowed), (rule, persona)
    attachment.spending = draft
    for rule, allowed in DRAFT_GRID.items():
        obj = draft if rule == "money.view_spending" else attachment
        for persona, user in users.items():
            assert rules.test_rule(rule, user, obj) is (persona in allowed), (rule, persona)
