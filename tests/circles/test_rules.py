"""The circles' rules (circles/rules.py), asked directly: every persona of tests/conftest.py, a visitor
who has not logged in and an integration of Acme with an admin's rights × Finance as it is, after its
steward stepped down and once archived, Acme's general circle and the general circle of Olga's
organisation."""

from types import SimpleNamespace

import pytest
import rules

from circles.services import circle_archive
from roles.models import Role, RoleAssignment
from roles.services import assignment_end
from tests.factories import fresh, grid, make_integration

PERSONAS = ("anonymous", "oscar", "olga", "nora", "mia", "steve", "otto", "alice", "admin_bot")
Y, N = True, False


@pytest.fixture(scope="module")
def cast(module_world):
    world = module_world
    people = {name: getattr(world, name) for name in PERSONAS if hasattr(world, name)}
    people.update(
        anonymous=None,
        admin_bot=make_integration(world.organisation, by=world.member(world.alice), name="Sync", is_admin=True),
    )
    return SimpleNamespace(world=world, people=people)


def circle_in(world, state):
    """The circle in the state the grid names, made so inside the case (its savepoint undoes it)."""
    if state == "finance-archived":
        circle_archive(circle=fresh(world.finance), by=None)
    if state == "finance-after-its-steward-stepped-down":
        term = RoleAssignment.objects.current().get(role__circle=world.finance, role__kind=Role.Kind.STEWARD)
        assignment_end(assignment=term, by=None, reason=RoleAssignment.EndReason.RESIGNED)
    if state == "acme-general":
        return fresh(world.general)
    if state == "other-general":
        return world.other.circles.get(is_general=True)
    return fresh(world.finance)


def ask(cast, rule, persona, obj) -> bool:
    return rules.test_rule(rule, fresh(cast.people[persona]), obj)


# fmt: off
VIEW_CIRCLE = {
    #                                          anon oscar olga nora mia steve otto alice a_bot
    "finance":                                (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "finance-archived":                       (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "acme-general":                           (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "other-general":                          (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
CHANGE_CIRCLE = {
    #                                          anon oscar olga nora mia steve otto alice a_bot
    "finance":                                (N,   N,    N,   N,   N,  N,    N,   Y,    Y),
    "finance-archived":                       (N,   N,    N,   N,   N,  N,    N,   Y,    Y),
    "acme-general":                           (N,   N,    N,   N,   N,  N,    N,   Y,    Y),
    "other-general":                          (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
# Alice stewards the general circle, as the founder of the organisation.
MANAGE_ROSTER = {
    #                                          anon oscar olga nora mia steve otto alice a_bot
    "finance":                                (N,   N,    N,   N,   N,  Y,    N,   Y,    Y),
    "finance-after-its-steward-stepped-down": (N,   N,    N,   N,   N,  N,    N,   Y,    Y),
    "finance-archived":                       (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "acme-general":                           (N,   N,    N,   N,   N,  N,    N,   Y,    Y),
    "other-general":                          (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
ASSIGN_STEWARD = {
    #                                          anon oscar olga nora mia steve otto alice a_bot
    "finance":                                (N,   N,    N,   N,   N,  N,    N,   Y,    Y),
    "finance-after-its-steward-stepped-down": (N,   N,    N,   N,   N,  N,    N,   Y,    Y),
    "finance-archived":                       (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "acme-general":                           (N,   N,    N,   N,   N,  N,    N,   Y,    Y),
    "other-general":                          (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
# The object is the organisation.
ADD_CIRCLE = {
    #                                          anon oscar olga nora mia steve otto alice a_bot
    "acme":                                   (N,   N,    N,   N,   N,  N,    N,   Y,    Y),
    "other":                                  (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
# fmt: on


@pytest.mark.parametrize(("state", "persona", "expected"), grid(VIEW_CIRCLE, PERSONAS))
def test_every_member_of_its_organisation_sees_a_circle_archived_or_not(db, cast, state, persona, expected):
    assert ask(cast, "circles.view_circle", persona, circle_in(cast.world, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(CHANGE_CIRCLE, PERSONAS))
def test_only_admins_change_a_circle_not_even_its_steward(db, cast, state, persona, expected):
    assert ask(cast, "circles.change_circle", persona, circle_in(cast.world, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(MANAGE_ROSTER, PERSONAS))
def test_the_steward_in_office_and_admins_keep_a_roster_until_the_circle_is_archived(
    db, cast, state, persona, expected
):
    assert ask(cast, "circles.manage_roster", persona, circle_in(cast.world, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(ASSIGN_STEWARD, PERSONAS))
def test_only_admins_name_the_steward_of_a_circle_not_archived(db, cast, state, persona, expected):
    assert ask(cast, "circles.assign_steward", persona, circle_in(cast.world, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(ADD_CIRCLE, PERSONAS))
def test_only_admins_add_a_circle_to_their_organisation(db, cast, state, persona, expected):
    organisation = fresh({"acme": cast.world.organisation, "other": cast.world.other}[state])

    assert ask(cast, "circles.add_circle", persona, organisation) is expected
