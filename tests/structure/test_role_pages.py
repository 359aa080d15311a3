"""The role page says which decision made or last changed the role."""

from .helpers import decision, enact


def test_the_role_page_shows_the_decision_that_created_it(world, as_user):
    (role,) = enact(
        decision(world, proposal_id=42, title="Split global coordination"),
        "role.create",
        {"circle": world.finance.pk, "name": "Finance coordinator"},
    )
    page = as_user(world.mia).get(f"/o/acme/roles/{role.pk}/").content.decode()
    assert 'Decided by <a href="/o/acme/p/42/">Split global coordination</a>' in page


def test_an_amendment_is_the_latest_decision_shown(world, as_user):
    ctx = decision(world, proposal_id=42, title="Create it")
    (role,) = enact(ctx, "role.create", {"circle": world.finance.pk, "name": "Scribe"})
    enact(
        decision(world, proposal_id=43, title="Give it a purpose"),
        "role.amend",
        {"role": role.pk, "purpose": "Writes."},
    )
    page = as_user(world.mia).get(f"/o/acme/roles/{role.pk}/").content.decode()
    assert "Give it a purpose" in page and "Create it" not in page
