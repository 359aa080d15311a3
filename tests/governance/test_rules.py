"""The organisation's rules (governance/rules.py), asked directly: every persona of tests/conftest.py,
a visitor who has not logged in, and three integrations of Acme (a bot with a member's rights, one
with an admin's, and one with an admin's whose maker has left) × the objects each rule is asked about."""

from types import SimpleNamespace

import pytest
import rules

from circles.services import circle_archive
from governance.models import Invitation
from governance.services import member_remove
from tests.factories import UserFactory, fresh, grid, make_integration, make_member

PERSONAS = (
    "anonymous", "oscar", "olga", "nora", "mia", "steve", "otto", "alice", "member_bot", "admin_bot", "orphan_bot",
)  # fmt: skip
Y, N = True, False


@pytest.fixture(scope="module")
def cast(module_world):
    world = module_world
    alice = world.member(world.alice)
    ada = make_member(world.organisation, user=UserFactory(email="ada@acme.test", name="Ada Admin"), is_admin=True)
    people = {name: getattr(world, name) for name in PERSONAS if hasattr(world, name)}
    people.update(
        anonymous=None,
        member_bot=make_integration(world.organisation, by=alice, name="Chat bridge"),
        admin_bot=make_integration(world.organisation, by=alice, name="Accounts sync", is_admin=True),
        orphan_bot=make_integration(world.organisation, by=ada, name="Old importer", is_admin=True),
    )
    # Ada leaves: her integration stays a member on paper, but acts with no rights at all.
    member_remove(member=ada, by=alice, reason="Moved away.")
    return SimpleNamespace(world=world, people=people)


def ask(cast, rule, persona, obj) -> bool:
    return rules.test_rule(rule, fresh(cast.people[persona]), obj)


def organisation(cast, state):
    return fresh({"acme": cast.world.organisation, "other": cast.world.other}[state])


# Acme is the personas' organisation; Other Co-op is Olga's, where she is the admin.
# fmt: off
VIEW_ORGANISATION = {
    #                         anon oscar olga nora mia steve otto alice m_bot a_bot o_bot
    "acme":                  (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y,    Y,    N),
    "other":                 (N,   N,    Y,   N,   N,  N,    N,   N,    N,    N,    N),
}
ADMINS_ONLY = {
    #                         anon oscar olga nora mia steve otto alice m_bot a_bot o_bot
    "acme":                  (N,   N,    N,   N,   N,  N,    N,   Y,    N,    Y,    N),
    "other":                 (N,   N,    Y,   N,   N,  N,    N,   N,    N,    N,    N),
}
INVITE_MEMBERS = {
    #                         anon oscar olga nora mia steve otto alice m_bot a_bot o_bot
    "acme":                  (N,   N,    N,   N,   N,  Y,    Y,   Y,    N,    Y,    N),
    "other":                 (N,   N,    Y,   N,   N,  N,    N,   N,    N,    N,    N),
}
MANAGE_INTEGRATIONS = {
    #                         anon oscar olga nora mia steve otto alice m_bot a_bot o_bot
    "acme":                  (N,   N,    N,   N,   N,  N,    N,   Y,    N,    N,    N),
    "other":                 (N,   N,    Y,   N,   N,  N,    N,   N,    N,    N,    N),
}
# An invitation to Acme, judged on the row it would make (the rule also takes an unsaved one).
# Alice stewards the general circle, as the founder of the organisation.
HANDLE_INVITATION = {
    #                         anon oscar olga nora mia steve otto alice m_bot a_bot o_bot
    "into-finance":          (N,   N,    N,   N,   N,  Y,    N,   Y,    N,    Y,    N),
    "into-outreach":         (N,   N,    N,   N,   N,  N,    Y,   Y,    N,    Y,    N),
    "into-general":          (N,   N,    N,   N,   N,  N,    N,   Y,    N,    Y,    N),
    "into-no-circle":        (N,   N,    N,   N,   N,  N,    N,   Y,    N,    Y,    N),
    "into-archived-finance": (N,   N,    N,   N,   N,  N,    N,   Y,    N,    Y,    N),
}
# fmt: on


@pytest.mark.parametrize(("state", "persona", "expected"), grid(VIEW_ORGANISATION, PERSONAS))
def test_an_organisation_is_seen_by_its_members_and_integrations_only(db, cast, state, persona, expected):
    assert ask(cast, "governance.view_organisation", persona, organisation(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(ADMINS_ONLY, PERSONAS))
def test_only_its_admins_and_admin_integrations_change_an_organisation(db, cast, state, persona, expected):
    assert ask(cast, "governance.change_organisation", persona, organisation(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(ADMINS_ONLY, PERSONAS))
def test_only_its_admins_and_admin_integrations_manage_its_members(db, cast, state, persona, expected):
    assert ask(cast, "governance.manage_members", persona, organisation(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(INVITE_MEMBERS, PERSONAS))
def test_admins_and_stewards_of_any_circle_may_invite(db, cast, state, persona, expected):
    assert ask(cast, "governance.invite_members", persona, organisation(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(MANAGE_INTEGRATIONS, PERSONAS))
def test_only_admins_who_are_people_manage_integrations(db, cast, state, persona, expected):
    assert ask(cast, "governance.manage_integrations", persona, organisation(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(HANDLE_INVITATION, PERSONAS))
def test_an_invitation_into_a_circle_is_its_roster_keepers_and_any_other_the_admins(db, cast, state, persona, expected):
    world = cast.world
    if state == "into-archived-finance":
        circle_archive(circle=fresh(world.finance), by=None)
    circle = {
        "into-finance": world.finance,
        "into-outreach": world.outreach,
        "into-general": world.general,
        "into-no-circle": None,
        "into-archived-finance": world.finance,
    }[state]
    invitation = Invitation(
        organisation=fresh(world.organisation),
        email="newcomer@example.org",
        membership_class=world.organisation.membership_classes.first(),
        circle=circle and fresh(circle),
    )

    assert ask(cast, "governance.handle_invitation", persona, invitation) is expected
