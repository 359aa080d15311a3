"""People kinds (steward.assign/end, role.assign/unassign, member.class) and domain.move."""

import pytest

from circles.services import circle_update
from governance.changes import ChangeInvalid, change_kinds
from governance.models import Event, MembershipClass, Provenance
from roles.models import Role, RoleAssignment
from roles.services import role_archive
from tests.factories import make_role

from .helpers import decision, enact


def steward_of(circle):
    return RoleAssignment.objects.current().get(role__circle=circle, role__kind=Role.Kind.STEWARD).member


def test_it_assigns_a_steward_replacing_the_current_one(world):
    mia = world.member(world.mia)
    ctx = decision(world)
    data = change_kinds["steward.assign"].clean(ctx, {"circle": world.finance.pk, "member": mia.pk})
    row = change_kinds["steward.assign"].describe(ctx, data).rows[0]
    assert (row.before, row.after) == ("Steve Steward", "Mia Member")
    change_kinds["steward.assign"].apply(ctx, data)
    assert steward_of(world.finance) == mia
    assert Event.objects.filter(verb="role.assigned", details__decision__proposal=101).exists()


def test_a_steward_is_not_assigned_twice(world):
    with pytest.raises(ChangeInvalid, match="Steve Steward is already the steward of Finance"):
        change_kinds["steward.assign"].clean(
            decision(world), {"circle": world.finance.pk, "member": world.member(world.steve).pk}
        )


def test_it_ends_a_stewards_term_and_refuses_once_someone_else_stewards(world):
    steve = world.member(world.steve)
    ctx = decision(world)
    data = change_kinds["steward.end"].clean(ctx, {"circle": world.finance.pk, "member": steve.pk})
    enact(ctx, "steward.assign", {"circle": world.finance.pk, "member": world.member(world.mia).pk})
    with pytest.raises(ChangeInvalid, match="Steve Steward is not the steward of Finance"):
        change_kinds["steward.end"].apply(ctx, data)


def test_it_ends_a_stewards_term(world):
    steve = world.member(world.steve)
    enact(decision(world), "steward.end", {"circle": world.finance.pk, "member": steve.pk})
    assert not RoleAssignment.objects.current().filter(role__circle=world.finance, role__kind="steward").exists()


def test_it_assigns_a_role_for_a_term_of_its_own_length(world):
    role = make_role(world.finance, "Bookkeeper", term_months=6)
    ctx = decision(world)
    (term,) = enact(ctx, "role.assign", {"role": role.pk, "member": world.member(world.mia).pk, "term_months": 3})
    assert 88 <= (term.planned_end_at - term.started_at).days <= 93
    assert Provenance.objects.filter(object_type="roleassignment", object_id=term.pk, circle=world.finance).exists()


def test_it_refuses_a_holder_who_is_not_on_the_roster(world):
    role = make_role(world.finance, "Bookkeeper")
    with pytest.raises(ChangeInvalid, match="Nora Nocircle is not on the roster of Finance") as refusal:
        change_kinds["role.assign"].clean(decision(world), {"role": role.pk, "member": world.member(world.nora).pk})
    assert refusal.value.field == "member"


def test_it_refuses_a_full_role(world):
    role = make_role(world.finance, "Bookkeeper", seats=1)
    enact(decision(world), "role.assign", {"role": role.pk, "member": world.member(world.mia).pk})
    with pytest.raises(ChangeInvalid, match="All 1 seat"):
        change_kinds["role.assign"].clean(decision(world), {"role": role.pk, "member": world.member(world.steve).pk})


def test_an_assignment_to_a_role_retired_meanwhile_is_refused(world):
    role = make_role(world.finance, "Bookkeeper")
    ctx = decision(world)
    data = change_kinds["role.assign"].clean(ctx, {"role": role.pk, "member": world.member(world.mia).pk})
    role_archive(role=role, by=None)
    with pytest.raises(ChangeInvalid, match="has been retired"):
        change_kinds["role.assign"].apply(ctx, data)


def test_it_ends_a_holders_term_with_the_reason(world):
    role = make_role(world.finance, "Bookkeeper")
    mia = world.member(world.mia)
    ctx = decision(world)
    enact(ctx, "role.assign", {"role": role.pk, "member": mia.pk})
    (term,) = enact(ctx, "role.unassign", {"role": role.pk, "member": mia.pk, "reason": "Swapping roles"})
    assert term.end_reason == RoleAssignment.EndReason.REMOVED and term.end_note == "Swapping roles"
    with pytest.raises(ChangeInvalid, match="Mia Member does not hold Bookkeeper"):
        change_kinds["role.unassign"].clean(ctx, {"role": role.pk, "member": mia.pk})


def test_it_changes_a_members_class_by_the_general_circle(world):
    klass = MembershipClass.objects.create(organisation=world.organisation, name="Supporters", voting_weight=1)
    mia = world.member(world.mia)
    ctx = decision(world)
    kind = change_kinds["member.class"]
    assert kind.circles(ctx, {"member": mia.pk}) == [world.general]
    enact(ctx, "member.class", {"member": mia.pk, "membership_class": klass.pk})
    mia.refresh_from_db()
    assert mia.membership_class == klass
    with pytest.raises(ChangeInvalid, match="is a Supporters already"):
        kind.clean(ctx, {"member": mia.pk, "membership_class": klass.pk})


def test_a_class_of_another_organisation_is_refused(world):
    other = MembershipClass.objects.filter(organisation=world.other).first()
    with pytest.raises(ChangeInvalid, match="does not exist here"):
        change_kinds["member.class"].clean(
            decision(world), {"member": world.member(world.mia).pk, "membership_class": other.pk}
        )


def test_it_moves_a_domain_from_a_circle_to_a_role(world):
    circle_update(circle=world.finance, by=None, domains="- Bank accounts\n- Invoices")
    role = make_role(world.outreach, "Writer", domains="- Newsletter")
    ctx = decision(world)
    kind = change_kinds["domain.move"]
    data = kind.clean(ctx, {"domain": "invoices", "source": f"circle:{world.finance.pk}", "target": f"role:{role.pk}"})
    assert data["domain"] == "invoices"
    assert {c.pk for c in kind.circles(ctx, data)} == {world.finance.pk, world.outreach.pk}
    enact(ctx, "domain.move", data)
    world.finance.refresh_from_db()
    role.refresh_from_db()
    assert world.finance.domains == "- Bank accounts"
    assert role.domains == "- Newsletter\n- invoices"
    assert Provenance.objects.filter(change_kind="domain.move").count() == 2


def test_a_domain_that_has_moved_away_cannot_move_again(world):
    circle_update(circle=world.finance, by=None, domains="- Invoices")
    ctx = decision(world)
    data = {"domain": "Invoices", "source": f"circle:{world.finance.pk}", "target": f"circle:{world.outreach.pk}"}
    change_kinds["domain.move"].clean(ctx, data)
    enact(ctx, "domain.move", data)
    with pytest.raises(ChangeInvalid, match="“Invoices” is not among the domains of Finance"):
        change_kinds["domain.move"].apply(ctx, data)


def test_a_domain_is_moved_somewhere_else(world):
    with pytest.raises(ChangeInvalid, match="Choose another circle or role"):
        change_kinds["domain.move"].clean(
            decision(world),
            {"domain": "X", "source": f"circle:{world.finance.pk}", "target": f"circle:{world.finance.pk}"},
        )
    with pytest.raises(ChangeInvalid, match="Choose a circle or a role"):
        change_kinds["domain.move"].clean(decision(world), {"domain": "X", "source": "team:1", "target": "role:1"})
