"""organisation_found (project.workflows), organisation_update and membership_class_save: an organisation
starts whole, with a general circle led by its creator."""

import pytest

from circles.models import Circle, CircleMembership
from governance import services
from governance.errors import Invalid
from governance.models import Event, Member, MembershipClass
from project.workflows import organisation_found
from roles.models import Role, RoleAssignment
from tests.factories import UserFactory


@pytest.fixture
def founder(db):
    return UserFactory(email="founder@coop.test", name="Fay Founder")


def test_it_creates_an_organisation_with_a_general_circle_and_its_creator_as_steward(founder):
    organisation = organisation_found(name="Bread & Roses Co-op", creator=founder)

    general = Circle.objects.get(organisation=organisation)
    assert general.is_general and general.parent is None
    member = Member.objects.get(organisation=organisation, user=founder)
    assert member.is_admin and member.is_active
    steward = RoleAssignment.objects.current().get(role__circle=general, role__kind=Role.Kind.STEWARD)
    assert steward.member == member


def test_it_gives_a_new_organisation_a_default_membership_class_that_may_vote(founder):
    organisation = organisation_found(name="Bread & Roses Co-op", creator=founder)

    (members_class,) = MembershipClass.objects.filter(organisation=organisation)
    assert members_class.may_vote and members_class.voting_weight == 1
    assert Member.objects.get(organisation=organisation).membership_class == members_class


def test_it_keeps_nobody_on_the_general_circles_roster_because_everyone_belongs_to_it(founder):
    organisation = organisation_found(name="Bread & Roses Co-op", creator=founder)

    assert not CircleMembership.objects.filter(circle__organisation=organisation).exists()


def test_it_derives_a_unique_slug_from_the_name(founder):
    first = organisation_found(name="Bread & Roses", creator=founder)
    second = organisation_found(name="Bread & Roses", creator=UserFactory())

    assert first.slug == "bread-roses"
    assert second.slug == "bread-roses-2"


def test_it_records_the_creation_in_the_event_log(founder):
    organisation = organisation_found(name="Bread & Roses Co-op", creator=founder)

    verbs = list(Event.objects.filter(organisation=organisation).order_by("id").values_list("verb", flat=True))
    assert verbs[:2] == ["organisation.created", "circle.created"]
    assert "role.assigned" in verbs


def test_it_updates_settings_and_logs_only_what_changed(world):
    by = world.member(world.alice)

    services.organisation_update(organisation=world.organisation, by=by, circle_size_max=12, consent_round_days=7)

    world.organisation.refresh_from_db()
    assert world.organisation.circle_size_max == 12
    event = Event.objects.filter(verb="organisation.updated").get()
    assert event.details == {"changes": {"circle_size_max": [8, 12]}}
    assert event.actor == by


def test_it_refuses_a_smallest_circle_size_above_the_largest(world):
    with pytest.raises(Invalid, match="smallest circle size"):
        services.organisation_update(organisation=world.organisation, by=None, circle_size_min=9, circle_size_max=4)

    world.organisation.refresh_from_db()
    assert world.organisation.circle_size_min == 3


def test_it_refuses_to_update_a_setting_it_does_not_know(world):
    with pytest.raises(Invalid, match="Unknown setting: slug"):
        services.organisation_update(organisation=world.organisation, by=None, slug="new")


def test_it_logs_what_changed_in_a_membership_class_and_nothing_when_nothing_did(world):
    members_class = world.organisation.membership_classes.get()
    change = {"organisation": world.organisation, "by": None, "name": "Members", "may_vote": True}

    services.membership_class_save(membership_class=members_class, voting_weight=3, **change)
    services.membership_class_save(membership_class=members_class, voting_weight=3, **change)

    event = Event.objects.get(verb="membership_class.updated")
    assert event.details == {"changes": {"voting_weight": [1, 3]}}


def test_it_refuses_a_second_membership_class_with_the_same_name_in_any_case(world):
    with pytest.raises(Invalid, match="already a membership class"):
        services.membership_class_save(
            organisation=world.organisation, by=None, name="members", voting_weight=1, may_vote=True
        )


def test_it_lets_two_organisations_use_the_same_class_name(world):
    services.membership_class_save(
        organisation=world.organisation, by=None, name="Workers", voting_weight=2, may_vote=True
    )

    other = services.membership_class_save(
        organisation=world.other, by=None, name="Workers", voting_weight=1, may_vote=True
    )

    assert other.organisation == world.other
