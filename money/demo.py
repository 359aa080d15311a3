"""Demo money: a collective fund with income, three circle budgets given by the general circle's
decision (one a liquid pot), categories, spending proposals in every state (a draft, one being
decided, committed, paid, returned, passed but not enacted, not agreed), a claim from the pot, a
stipend paid on a schedule, and a participatory round with buckets. Loading it twice adds nothing:
it stops if the fund exists."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from circles.models import Circle
from proposals.demo import backdate_record
from proposals.models import Proposal
from proposals.services import change_add, position_record, proposal_close, proposal_create, proposal_open
from roles.models import Role, RoleAssignment
from roles.services import role_assign

from . import services
from .models import Commitment, Fund

FUND = "Collective fund"
OPS, PRODUCT, TECH = "Organisational Operations", "Product Strategy and Services", "Technology Operations"


def _close(proposal, voters, *, objection=False) -> Proposal:
    for i, voter in enumerate(voters):
        if objection and i == 0:
            position_record(proposal=proposal, member=voter, kind="objection", reason="Not this quarter.")
        else:
            position_record(proposal=proposal, member=voter, kind="consent")
    closes_at = timezone.now() - timedelta(minutes=5)
    Proposal.objects.filter(pk=proposal.pk).update(opened_at=closes_at - timedelta(days=7), closes_at=closes_at)
    proposal_close(proposal_id=proposal.pk)
    proposal = Proposal.objects.get(pk=proposal.pk)
    backdate_record(proposal, opened_at=proposal.opened_at, closes_at=proposal.closes_at)
    return proposal


def _roster(circle):
    members = circle.memberships.filter(left_at__isnull=True).select_related("member")
    return [m.member for m in members]


def load(*, organisation, members) -> None:
    if Fund.objects.filter(organisation=organisation, name=FUND).exists():
        return
    alice, elena = members["Alice Okafor"], members["Elena Sokolova"]
    general = Circle.objects.get(organisation=organisation, is_general=True)
    circles = {c.name: c for c in Circle.objects.filter(organisation=organisation, name__in=[OPS, PRODUCT, TECH])}
    if len(circles) < 3:
        return
    treasurer = Role.objects.filter(circle=general, kind=Role.Kind.TREASURER, archived_at__isnull=True).first()
    if treasurer and not RoleAssignment.objects.current().filter(role=treasurer).exists():
        role_assign(role=treasurer, member=elena, by=alice)

    fund = services.fund_create(
        organisation=organisation, name=FUND, currency="EUR", by=alice,
        description="All the revenue we can dispose of, governed by consent.",
    )  # fmt: skip
    services.income_record(fund=fund, amount="18000.00", by=elena, reference="Platform revenue, Q3")
    services.income_record(fund=fund, amount="6000.00", by=elena, reference="Foundation grant 2026-14")

    today = timezone.localdate()
    start, end = today.replace(day=1), today.replace(day=1) + timedelta(days=120)
    budgets = [
        (OPS, "Operations", "6000.00", "1000.00", False, ["Hosting", "Legal", "Stipends"]),
        (PRODUCT, "Product", "4000.00", "800.00", False, ["Events", "Design"]),
        (TECH, "Activities pot", "3000.00", None, True, ["Tasks"]),
    ]
    decision = proposal_create(
        circle=general, author=alice, title="Budgets for the coming four months",
        body="The general circle gives each circle its budget; the activities pot pays members for tasks.",
    )  # fmt: skip
    for circle_name, name, amount, limit, pot, categories in budgets:
        data = {"fund": fund.pk, "circle": circles[circle_name].pk, "name": name, "period_start": start.isoformat(),
                "period_end": end.isoformat(), "amount": amount, "approval_limit": limit, "is_pot": pot,
                "categories": categories}  # fmt: skip
        change_add(proposal=decision, by=alice, kind="budget.allocate", data=data)
    _close(proposal_open(proposal=decision, by=alice), [members["Ben Laurent"], members["Dev Patel"]])
    budget = {b.circle.name: b for b in fund.budgets.select_related("circle")}
    category = {c.name: c for c in organisation.spending_categories.all()}

    def spend(circle_name, author, title, amount, payee, cat, **extra):
        return services.spending_create(
            budget=budget[circle_name], by=members[author], title=title, amount=amount,
            purpose=extra.pop("purpose", f"{title}, as discussed in the circle's meeting."),
            payee_name=payee, category=category.get(cat), **extra,
        )  # fmt: skip

    def decide(spending, author, **kw):
        proposal = services.spending_propose(spending=spending, by=members[author])
        return _close(proposal, _roster(spending.deciding_circle)[:3] or [alice], **kw)

    spend(OPS, "Grace Mensah", "Accounting software", "600.00", "Ledgerly", "Legal")  # a draft
    services.spending_propose(
        spending=spend(OPS, "Jonas Berg", "Legal review of the statutes", "900.00", "Law & Co", "Legal"),
        by=members["Jonas Berg"],
    )  # being decided
    decide(spend(OPS, "Ben Laurent", "Annual hosting", "1200.00", "Hoster GmbH", "Hosting"), "Ben Laurent")
    domains = decide(spend(OPS, "Ben Laurent", "Domain names", "120.00", "Registrar", "Hosting"), "Ben Laurent")
    services.payment_record(
        commitment=Commitment.objects.get(spending__proposal=domains), amount="120.00", by=elena, reference="SEPA-0192"
    )
    booth = decide(spend(PRODUCT, "Chiara Rossi", "Conference booth", "500.00", "CoopCon", "Events"), "Chiara Rossi")
    services.commitment_return(
        commitment=Commitment.objects.get(spending__proposal=booth), by=elena, reason="The conference was cancelled."
    )
    website = services.spending_propose(
        spending=spend(PRODUCT, "Chiara Rossi", "Website redesign", "3000.00", "Studio North", "Design"),
        by=members["Chiara Rossi"],
    )
    video = services.spending_propose(
        spending=spend(PRODUCT, "Farid Haddad", "Video series", "1500.00", "Frame Films", "Design"),
        by=members["Farid Haddad"],
    )
    _close(website, _roster(circles[PRODUCT])[:3])
    _close(video, _roster(circles[PRODUCT])[:3])  # passed, not enacted: the budget has €1,000.00 left
    decide(
        spend(PRODUCT, "Hiro Tanaka", "Team offsite", "700.00", "Lakeside Inn", "Events"),
        "Hiro Tanaka",
        objection=True,
    )  # not agreed
    stipend = decide(
        services.spending_create(
            budget=budget[OPS], by=members["Ben Laurent"], title="Facilitator stipend", amount="1800.00",
            purpose="Six months of facilitation of the general circle's meetings.",
            payee_member=members["Grace Mensah"],
            category=category["Stipends"], installments=6, interval_months=1, first_due=today,
        ),
        "Ben Laurent",
    )  # fmt: skip
    services.payment_record(
        commitment=Commitment.objects.get(spending__proposal=stipend), amount="300.00", by=elena, reference="SEPA-0201"
    )
    claim = services.spending_create(
        budget=budget[TECH], by=members["Liam OBrien"], kind="claim", title="Migrated the mailing list",
        amount="250.00", purpose="Moved the members' list to our own server, with its archive.",
        category=category["Tasks"],
    )  # fmt: skip
    decide(claim, "Liam OBrien")

    round_ = services.round_open(
        fund=fund, circle=general, title="Community projects", pool="1200.00", by=alice,
        closes_at=timezone.now() + timedelta(days=10),
        description="Propose a project; we each put our share where we think it does most good.",
    )  # fmt: skip
    garden = services.bucket_create(
        round=round_, by=members["Grace Mensah"], title="Community garden", min_goal="300.00", max_goal="600.00"
    )
    repair = services.bucket_create(
        round=round_, by=members["Hiro Tanaka"], title="Repair café", min_goal="200.00", max_goal="400.00"
    )
    for name, bucket, amount in [
        ("Grace Mensah", garden, "80.00"),
        ("Hiro Tanaka", repair, "60.00"),
        ("Ben Laurent", garden, "50.00"),
        ("Ines Garcia", repair, "40.00"),
    ]:
        services.allocation_set(bucket=bucket, member=members[name], amount=amount)
