"""circle_create, circle_update (and moving), circle_archive and circle_restore."""

import pytest

from circles import services
from circles.models import Circle, CircleMembership
from governance.errors import Conflict, Invalid
from governance.models import Event
from roles.models import Role
from roles.services import steward_assign
from tests.factories import make_circle


def test_it_creates_a_circle_under_its_parent_with_a_steward_role(world):
    by = world.member(world.alice)

    circle = services.circle_create(
        organisation=world.organisation, by=by, name="Tech", parent=world.finance, purpose="Keep it running."
    )

    assert circle.parent == world.finance and not circle.is_general
    assert circle.slug == "tech"
    assert Role.objects.filter(circle=circle, kind=Role.Kind.STEWARD, archived_at=None).count() == 1
    event = Event.objects.get(verb="circle.created", object_id=circle.pk)
    assert event.actor == by and event.details == {"parent": "Finance"}


def test_it_refuses_a_circle_without_a_parent_once_the_general_circle_exists(world):
    with pytest.raises(Invalid, match="Choose the parent circle") as refused:
        services.circle_create(organisation=world.organisation, by=None, name="Loose", parent=None)

    assert refused.value.field == "parent"


def test_it_refuses_a_parent_from_another_organisation(world):
    other_general = world.other.circles.get(is_general=True)

    with pytest.raises(Invalid, match="another organisation"):
        services.circle_create(organisation=world.organisation, by=None, name="Spy", parent=other_general)


def test_it_refuses_a_circle_without_a_name(world):
    with pytest.raises(Invalid, match="needs a name"):
        services.circle_create(organisation=world.organisation, by=None, name="   ", parent=world.general)


def test_it_gives_circles_with_the_same_name_different_slugs(world):
    second = services.circle_create(organisation=world.organisation, by=None, name="Finance", parent=world.general)

    assert second.slug == "finance-2"


def test_it_updates_a_circle_and_logs_the_change(world):
    services.circle_update(circle=world.finance, by=None, purpose="Count the beans.")

    world.finance.refresh_from_db()
    assert world.finance.purpose == "Count the beans."
    event = Event.objects.get(verb="circle.updated", object_id=world.finance.pk)
    assert event.details == {"changes": {"purpose": ["", "Count the beans."]}}


def test_it_logs_nothing_when_nothing_changed(world):
    services.circle_update(circle=world.finance, by=None, name="Finance")

    assert not Event.objects.filter(verb__in=["circle.updated", "circle.moved"]).exists()


def test_it_moves_a_circle_under_another_parent(world):
    services.circle_update(circle=world.outreach, by=None, parent=world.finance)

    world.outreach.refresh_from_db()
    assert world.outreach.parent == world.finance
    assert Event.objects.get(verb="circle.moved").details == {"changes": {"parent": ["General circle", "Finance"]}}


def test_it_refuses_to_move_a_circle_into_its_own_sub_circle(world):
    budget = make_circle(world.organisation, "Budget", parent=world.finance)

    with pytest.raises(Invalid, match="inside itself"):
        services.circle_update(circle=world.finance, by=None, parent=budget)

    world.finance.refresh_from_db()
    assert world.finance.parent == world.general


def test_it_refuses_to_move_a_circle_into_itself(world):
    with pytest.raises(Invalid, match="inside itself"):
        services.circle_update(circle=world.finance, by=None, parent=world.finance)


def test_it_refuses_to_move_a_circle_into_another_organisation(world):
    with pytest.raises(Invalid, match="another organisation"):
        services.circle_update(circle=world.finance, by=None, parent=world.other.circles.get(is_general=True))


def test_it_refuses_to_move_a_circle_under_an_archived_circle(world):
    services.circle_archive(circle=world.outreach, by=None)

    with pytest.raises(Invalid, match="archived"):
        services.circle_update(circle=world.finance, by=None, parent=world.outreach)


def test_it_refuses_to_give_the_general_circle_a_parent(world):
    with pytest.raises(Invalid, match="root of the tree"):
        services.circle_update(circle=world.general, by=None, parent=world.finance)

    world.general.refresh_from_db()
    assert world.general.parent is None


def test_it_refuses_to_take_a_sub_circle_out_of_the_tree(world):
    with pytest.raises(Invalid, match="Choose the parent circle"):
        services.circle_update(circle=world.finance, by=None, parent=None)


def test_it_refuses_an_unknown_field(world):
    with pytest.raises(Invalid, match="Unknown circle field: organisation"):
        services.circle_update(circle=world.finance, by=None, organisation=world.other)


def test_it_archives_a_circle_and_keeps_its_roster_readable(world):
    services.circle_archive(circle=world.finance, by=world.member(world.alice), reason="Merged into Outreach")

    world.finance.refresh_from_db()
    assert world.finance.is_archived
    assert CircleMembership.objects.current().filter(circle=world.finance).count() == 2
    assert Event.objects.get(verb="circle.archived").details == {"reason": "Merged into Outreach"}
    assert world.finance not in Circle.objects.active()


def test_it_refuses_to_archive_a_circle_with_active_sub_circles(world):
    make_circle(world.organisation, "Budget", parent=world.finance)

    with pytest.raises(Conflict, match="sub-circles first"):
        services.circle_archive(circle=world.finance, by=None)

    world.finance.refresh_from_db()
    assert not world.finance.is_archived


def test_it_archives_a_circle_whose_sub_circles_are_archived(world):
    budget = make_circle(world.organisation, "Budget", parent=world.finance)
    services.circle_archive(circle=budget, by=None)

    services.circle_archive(circle=world.finance, by=None)

    world.finance.refresh_from_db()
    assert world.finance.is_archived


def test_it_refuses_to_archive_the_general_circle(world):
    with pytest.raises(Conflict, match="general circle cannot be archived"):
        services.circle_archive(circle=world.general, by=None)


def test_it_refuses_to_archive_a_circle_twice(world):
    services.circle_archive(circle=world.finance, by=None)

    with pytest.raises(Conflict, match="already archived"):
        services.circle_archive(circle=world.finance, by=None)


def test_it_freezes_the_roster_of_an_archived_circle(world):
    services.circle_archive(circle=world.finance, by=None)

    with pytest.raises(Conflict, match="archived"):
        services.roster_add(circle=world.finance, member=world.member(world.nora), by=None)
    with pytest.raises(Conflict, match="archived"):
        steward_assign(circle=world.finance, member=world.member(world.mia), by=None)
    assert CircleMembership.objects.current().filter(circle=world.finance).count() == 2


def test_it_refuses_to_edit_an_archived_circle(world):
    services.circle_archive(circle=world.finance, by=None)

    with pytest.raises(Conflict, match="restore it before editing"):
        services.circle_update(circle=world.finance, by=None, name="Money")


def test_it_restores_an_archived_circle(world):
    services.circle_archive(circle=world.finance, by=None)

    services.circle_restore(circle=world.finance, by=None)

    world.finance.refresh_from_db()
    assert not world.finance.is_archived
    assert Event.objects.filter(verb="circle.restored", object_id=world.finance.pk).exists()
    services.roster_add(circle=world.finance, member=world.member(world.nora), by=None)


def test_it_refuses_to_restore_a_circle_under_an_archived_parent(world):
    budget = make_circle(world.organisation, "Budget", parent=world.finance)
    services.circle_archive(circle=budget, by=None)
    services.circle_archive(circle=world.finance, by=None)

    with pytest.raises(Conflict, match="restore that first"):
        services.circle_restore(circle=budget, by=None)


def test_it_refuses_to_restore_a_circle_that_is_not_archived(world):
    with pytest.raises(Conflict, match="not archived"):
        services.circle_restore(circle=world.finance, by=None)
