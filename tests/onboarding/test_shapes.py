"""Each starting shape gives the structure it promises: circles, roles, classes, weights and meeting
series; the founder is admin and steward of the general circle; shapes are data other apps add to."""

import pytest

from circles.models import Circle
from governance.errors import Conflict, Invalid
from governance.models import Event, Member
from meetings.models import Meeting, MeetingSeries
from project import shapes
from project.shapes import Shape, shape_promises
from project.workflows import organisation_start
from roles.models import ElectionMethod, Role, RoleAssignment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CORE = {"Steward", "Facilitator", "Secretary", "Treasurer"}  # every circle's core roles (money adds the treasurer)
CORE_BELOW = CORE | {"Delegate"}


def start(shape, **fields):
    founder = UserFactory(email=f"founder-{shape}@river.test", name="Rhea Founder")
    organisation = organisation_start(creator=founder, name=f"River {shape}", shape=shape, **fields)
    return organisation, Member.objects.get(organisation=organisation, user=founder)


def structure(organisation):
    return {
        c.name: (c.is_general, {r.name for r in Role.objects.filter(circle=c)})
        for c in Circle.objects.filter(organisation=organisation)
    }


def classes(organisation):
    return {c.name: c.voting_weight for c in organisation.membership_classes.all()}


def steward_of_general(organisation):
    return (
        RoleAssignment.objects.current()
        .get(role__circle__is_general=True, role__kind=Role.Kind.STEWARD, role__circle__organisation=organisation)
        .member
    )


def test_the_co_op_has_two_weighted_classes_and_three_operational_circles_with_four_roles_each():
    organisation, founder = start("coop")

    assert classes(organisation) == {"Worker members": 2, "User members": 1}
    assert founder.membership_class.name == "Worker members" and founder.is_admin
    assert structure(organisation) == {
        "General circle": (True, CORE),
        "Operations": (False, CORE_BELOW),
        "Services": (False, CORE_BELOW),
        "Technology": (False, CORE_BELOW),
    }
    general = Circle.objects.get(organisation=organisation, is_general=True)
    assert set(Circle.objects.filter(organisation=organisation, is_general=False).values_list("parent", flat=True)) == {
        general.pk
    }
    assert steward_of_general(organisation) == founder


def test_the_network_meets_every_month_in_its_general_circle():
    organisation, founder = start("network", time_zone="Europe/Paris")

    assert structure(organisation) == {"General circle": (True, CORE)}
    series = MeetingSeries.objects.get(organisation=organisation)
    assert series.frequency == MeetingSeries.Frequency.MONTHLY and series.circle.is_general
    assert series.time_zone == "Europe/Paris"
    first = Meeting.objects.filter(series=series).order_by("starts_at").first()
    local = first.starts_at.astimezone(organisation.tzinfo)
    assert (local.weekday(), local.hour, local.day <= 7) == (1, 18, True)  # the first Tuesday, 18:00
    assert Meeting.objects.filter(series=series).count() >= 3  # scheduled ahead
    assert steward_of_general(organisation) == founder


def test_the_council_has_five_seats_filled_by_ballot_and_a_secretary():
    organisation, _founder = start("council")

    assert structure(organisation) == {"Council": (True, CORE | {"Councillor"})}
    councillor = Role.objects.get(circle__organisation=organisation, name="Councillor")
    assert (councillor.seats, councillor.election_method, councillor.term_months) == (5, ElectionMethod.BALLOT, 24)
    assert Role.objects.filter(circle__organisation=organisation, kind=Role.Kind.SECRETARY).count() == 1


def test_the_congregation_has_crews_of_three_to_eight():
    organisation, _founder = start("crews")

    organisation.refresh_from_db()
    assert (organisation.circle_size_min, organisation.circle_size_max) == (3, 8)
    assert structure(organisation) == {
        "Congregation": (True, CORE),
        "First crew": (False, CORE_BELOW),
        "Second crew": (False, CORE_BELOW),
        "Third crew": (False, CORE_BELOW),
    }


def test_empty_is_a_general_circle_with_its_founder_as_steward():
    organisation, founder = start("empty")

    assert structure(organisation) == {"General circle": (True, CORE)}
    assert classes(organisation) == {"Members": 1}
    assert steward_of_general(organisation) == founder


def test_each_write_of_the_shape_is_in_the_event_log():
    organisation, _founder = start("coop")

    verbs = list(Event.objects.filter(organisation=organisation).values_list("verb", flat=True))
    assert verbs.count("circle.created") == 4
    assert {"organisation.created", "membership_class.created", "membership_class.updated"} <= set(verbs)


def test_it_keeps_language_currency_and_time_zone():
    organisation, _ = start("empty", language="fr", currency="chf", time_zone="Europe/Zurich")

    assert (organisation.language, organisation.currency, organisation.time_zone) == ("fr", "CHF", "Europe/Zurich")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"currency": "EURO"}, "currency"),
        ({"currency": "E1"}, "currency"),
        ({"language": "xx"}, "language"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"shape": "commune"}, "shape"),
    ],
)
def test_it_refuses_bad_values_and_makes_nothing(fields, field):
    founder = UserFactory(email="bad@river.test")
    with pytest.raises(Invalid) as refused:
        organisation_start(creator=founder, name="River", **{"shape": "coop", **fields})
    assert refused.value.field == field
    assert not Member.objects.filter(user=founder).exists()


def test_a_taken_address_is_refused_with_a_free_one_suggested():
    start("empty", slug="river")
    with pytest.raises(Conflict) as refused:
        organisation_start(creator=UserFactory(), name="Another river", shape="empty", slug="river")
    assert refused.value.field == "slug"
    assert "“river” is taken" in refused.value.message and "river-2" in refused.value.message


def test_another_app_adds_to_a_shape_through_its_extras():
    """How money adds the network's liquid pot at merge: a receiver of shape_extras and a promise."""
    made = []

    def pot(*, organisation, shape, key, founder, circles):
        if "liquid_pot" in shape.extras:
            made.append((key, organisation.currency, circles[""].name))

    shapes.shape_extras.register(pot)
    try:
        start("network", currency="GBP")
        start("empty")
    finally:
        shapes.shape_extras._receivers.remove(pot)
    assert made == [("network", "GBP", "General circle")]


def test_the_page_promises_an_extra_only_once_an_app_provides_it():
    shape = Shape(label="Test", summary="", promises=("A circle",), extras=("test_extra",))
    assert shape_promises(shape) == ["A circle"]
    shapes.extra_providers.register("test_extra", "A test extra")
    try:
        assert shape_promises(shape) == ["A circle", "A test extra"]
    finally:
        shapes.extra_providers._items.pop("test_extra")
