"""The roles' rules (roles/rules.py, the roles and their terms), asked directly: every persona of
tests/conftest.py and a visitor who has not logged in × roles of each kind (Finance's Bookkeeper, held by
Mia; Finance's steward and facilitator roles; an archived role; Outreach's facilitator role; a role of
Olga's organisation) and the terms people hold. These rules say who; the state of things (an archived
role or circle) is the services' to refuse, with a 409, so the grids show the same answers for it."""

from types import SimpleNamespace

import pytest
import rules

from circles.services import circle_archive
from roles.models import Role, RoleAssignment
from roles.services import role_archive, role_assign
from tests.factories import fresh, grid, make_role

PERSONAS = ("anonymous", "oscar", "olga", "nora", "mia", "steve", "otto", "alice")
Y, N = True, False


@pytest.fixture(scope="module")
def cast(module_world):
    world = module_world
    treasurer = make_role(world.finance, "Bookkeeper")
    auditor = make_role(world.finance, "Auditor")
    role_archive(role=auditor, by=None)
    other_general = world.other.circles.get(is_general=True)

    def core(circle, kind):
        return Role.objects.get(circle=circle, kind=kind, archived_at__isnull=True)

    def term(circle, kind):
        return RoleAssignment.objects.current().get(role__circle=circle, role__kind=kind)

    roles_ = {
        "finance-treasurer": treasurer,
        "finance-treasurer-in-archived-finance": treasurer,
        "finance-steward-role": core(world.finance, Role.Kind.STEWARD),
        "finance-facilitator-role": core(world.finance, Role.Kind.FACILITATOR),
        "finance-archived-auditor": auditor,
        "outreach-facilitator-role": core(world.outreach, Role.Kind.FACILITATOR),
        "other-steward-role": core(other_general, Role.Kind.STEWARD),
    }
    terms = {
        "mias-treasurer-term": role_assign(role=treasurer, member=world.member(world.mia), by=None),
        "steves-finance-steward-term": term(world.finance, Role.Kind.STEWARD),
        "ottos-outreach-steward-term": term(world.outreach, Role.Kind.STEWARD),
        "olgas-other-steward-term": term(other_general, Role.Kind.STEWARD),
    }
    people = {name: getattr(world, name) for name in PERSONAS if hasattr(world, name)}
    people["anonymous"] = None
    return SimpleNamespace(world=world, people=people, roles=roles_, terms=terms)


def ask(cast, rule, persona, obj) -> bool:
    return rules.test_rule(rule, fresh(cast.people[persona]), obj)


def role_in(cast, state):
    if state.endswith("-in-archived-finance"):
        circle_archive(circle=fresh(cast.world.finance), by=None)
    return fresh(cast.roles[state])


def circle_in(world, state):
    if state == "finance-archived":
        circle_archive(circle=fresh(world.finance), by=None)
        return fresh(world.finance)
    return fresh({"finance": world.finance, "outreach": world.outreach, "acme-general": world.general}[state])


# fmt: off
VIEW_ROLE = {
    #                                         anon oscar olga nora mia steve otto alice
    "finance-treasurer":                     (N,   N,    N,   Y,   Y,  Y,    Y,   Y),
    "finance-steward-role":                  (N,   N,    N,   Y,   Y,  Y,    Y,   Y),
    "finance-archived-auditor":              (N,   N,    N,   Y,   Y,  Y,    Y,   Y),
    "other-steward-role":                    (N,   N,    Y,   N,   N,  N,    N,   N),
}
# The steward defines their circle's roles; the archived circle is the services' to refuse.
ADD_ROLE = {
    #                                         anon oscar olga nora mia steve otto alice
    "finance":                               (N,   N,    N,   N,   N,  Y,    N,   Y),
    "finance-archived":                      (N,   N,    N,   N,   N,  Y,    N,   Y),
    "outreach":                              (N,   N,    N,   N,   N,  N,    Y,   Y),
    "acme-general":                          (N,   N,    N,   N,   N,  N,    N,   Y),
}
# Who holds the steward role is the admins' call (circles.assign_steward); other roles the steward's too.
CHANGE_OR_ASSIGN_ROLE = {
    #                                         anon oscar olga nora mia steve otto alice
    "finance-treasurer":                     (N,   N,    N,   N,   N,  Y,    N,   Y),
    "finance-treasurer-in-archived-finance": (N,   N,    N,   N,   N,  Y,    N,   Y),
    "finance-steward-role":                  (N,   N,    N,   N,   N,  N,    N,   Y),
    "finance-facilitator-role":              (N,   N,    N,   N,   N,  Y,    N,   Y),
    "finance-archived-auditor":              (N,   N,    N,   N,   N,  Y,    N,   Y),
    "outreach-facilitator-role":             (N,   N,    N,   N,   N,  N,    Y,   Y),
    "other-steward-role":                    (N,   N,    Y,   N,   N,  N,    N,   N),
}
VIEW_ASSIGNMENT = {
    #                                         anon oscar olga nora mia steve otto alice
    "mias-treasurer-term":                   (N,   N,    N,   Y,   Y,  Y,    Y,   Y),
    "steves-finance-steward-term":           (N,   N,    N,   Y,   Y,  Y,    Y,   Y),
    "olgas-other-steward-term":              (N,   N,    Y,   N,   N,  N,    N,   N),
}
# Those who manage a term (admins; the circle's steward, but not for the steward role) may end it,
# and so may its holder, who steps down.
END_ASSIGNMENT = {
    #                                         anon oscar olga nora mia steve otto alice
    "mias-treasurer-term":                   (N,   N,    N,   N,   Y,  Y,    N,   Y),
    "steves-finance-steward-term":           (N,   N,    N,   N,   N,  Y,    N,   Y),
    "ottos-outreach-steward-term":           (N,   N,    N,   N,   N,  N,    Y,   Y),
    "olgas-other-steward-term":              (N,   N,    Y,   N,   N,  N,    N,   N),
}
# Renewing is for those who manage the term only, not its holder.
RENEW_ASSIGNMENT = {
    #                                         anon oscar olga nora mia steve otto alice
    "mias-treasurer-term":                   (N,   N,    N,   N,   N,  Y,    N,   Y),
    "steves-finance-steward-term":           (N,   N,    N,   N,   N,  N,    N,   Y),
    "ottos-outreach-steward-term":           (N,   N,    N,   N,   N,  N,    N,   Y),
    "olgas-other-steward-term":              (N,   N,    Y,   N,   N,  N,    N,   N),
}
# The object is the organisation.
VIEW_ROLES = {
    #                                         anon oscar olga nora mia steve otto alice
    "acme":                                  (N,   N,    N,   Y,   Y,  Y,    Y,   Y),
    "other":                                 (N,   N,    Y,   N,   N,  N,    N,   N),
}
CHANGE_TEMPLATE = {
    #                                         anon oscar olga nora mia steve otto alice
    "acme":                                  (N,   N,    N,   N,   N,  N,    N,   Y),
    "other":                                 (N,   N,    Y,   N,   N,  N,    N,   N),
}
# fmt: on


@pytest.mark.parametrize(("state", "persona", "expected"), grid(VIEW_ROLE, PERSONAS))
def test_every_member_of_its_organisation_sees_a_role_archived_or_not(db, cast, state, persona, expected):
    assert ask(cast, "roles.view_role", persona, role_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(ADD_ROLE, PERSONAS))
def test_the_circles_steward_and_admins_add_a_role_to_it(db, cast, state, persona, expected):
    assert ask(cast, "roles.add_role", persona, circle_in(cast.world, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(CHANGE_OR_ASSIGN_ROLE, PERSONAS))
def test_the_steward_changes_their_circles_roles_but_the_steward_role_and_admins_any(
    db, cast, state, persona, expected
):
    assert ask(cast, "roles.change_role", persona, role_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(CHANGE_OR_ASSIGN_ROLE, PERSONAS))
def test_the_steward_fills_their_circles_roles_but_the_steward_role_and_admins_any(db, cast, state, persona, expected):
    assert ask(cast, "roles.assign_role", persona, role_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(VIEW_ASSIGNMENT, PERSONAS))
def test_every_member_of_its_organisation_sees_who_holds_a_role(db, cast, state, persona, expected):
    assert ask(cast, "roles.view_assignment", persona, fresh(cast.terms[state])) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(END_ASSIGNMENT, PERSONAS))
def test_a_term_is_ended_by_those_who_manage_it_or_by_its_holder_stepping_down(db, cast, state, persona, expected):
    assert ask(cast, "roles.end_assignment", persona, fresh(cast.terms[state])) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(RENEW_ASSIGNMENT, PERSONAS))
def test_a_term_is_renewed_by_those_who_manage_it_not_by_its_holder(db, cast, state, persona, expected):
    assert ask(cast, "roles.renew_assignment", persona, fresh(cast.terms[state])) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(VIEW_ROLES, PERSONAS))
def test_every_member_sees_the_roles_of_their_organisation(db, cast, state, persona, expected):
    organisation = fresh({"acme": cast.world.organisation, "other": cast.world.other}[state])

    assert ask(cast, "roles.view_roles", persona, organisation) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(CHANGE_TEMPLATE, PERSONAS))
def test_only_admins_change_the_templates_of_core_roles(db, cast, state, persona, expected):
    organisation = fresh({"acme": cast.world.organisation, "other": cast.world.other}[state])

    assert ask(cast, "roles.change_template", persona, organisation) is expected
