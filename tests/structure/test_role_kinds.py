"""Role kinds: role.create, role.amend, role.retire, checked against the structure as it is."""

from decimal import Decimal

import pytest

from governance.changes import ChangeInvalid, change_kinds
from governance.models import Event, Provenance
from roles.models import Role, RoleAssignment
from roles.services import role_archive, role_assign, role_update
from tests.factories import make_role

from .helpers import decision, enact


def test_it_creates_a_role_with_its_provenance_and_decision_in_the_event(world):
    ctx = decision(world)
    (role,) = enact(
        ctx,
        "role.create",
        {
            "circle": str(world.finance.pk),
            "name": "  Bookkeeper ",
            "purpose": "Keeps the books.",
            "accountabilities": "- Paying bills\n- Reporting monthly\n",
            "time_hours": "2.5",
            "seats": "2",
            "term_months": 12,
        },
    )
    role.refresh_from_db()
    assert role.name == "Bookkeeper"
    assert role.accountabilities == ["Paying bills", "Reporting monthly"]
    assert role.time_hours == Decimal("2.5") and role.seats == 2 and role.term_months == 12
    provenance = Provenance.objects.get(object_type="role", object_id=role.pk)
    assert provenance.proposal_id == 101 and provenance.change_kind == "role.create"
    assert provenance.circle_id == world.finance.pk
    event = Event.objects.get(verb="role.created", object_id=role.pk)
    assert event.details["decision"] == {"proposal": 101, "title": "Adopt the new structure"}


def test_clean_normalises_the_data_to_json(world):
    data = change_kinds["role.create"].clean(
        decision(world),
        {"circle": world.finance.pk, "name": "Bookkeeper", "time_hours": 3, "accountabilities": ["a", " "]},
    )
    assert data == {"circle": world.finance.pk, "name": "Bookkeeper", "time_hours": "3.0", "accountabilities": ["a"]}


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        ({"name": "Bookkeeper"}, "Choose a circle.", "circle"),
        ({"circle": 99999, "name": "Bookkeeper"}, "That circle does not exist in this organisation.", "circle"),
        ({"circle": "F", "name": ""}, "A role needs a name.", "name"),
        ({"circle": "F", "name": "X", "seats": 0}, "A role has at least one seat.", "seats"),
        ({"circle": "F", "name": "X", "term_months": 99}, "A term lasts between 1 and 60 months.", "term_months"),
        ({"circle": "F", "name": "X", "time_hours": "lots"}, "Give the hours expected as a number.", "time_hours"),
        ({"circle": "F", "name": "X", "selection": "lottery"}, "Choose whether the steward appoints", "selection"),
    ],
)
def test_it_refuses_a_role_it_cannot_create(world, data, message, field):
    data = {**data, "circle": world.finance.pk} if data.get("circle") == "F" else data
    with pytest.raises(ChangeInvalid) as refusal:
        change_kinds["role.create"].clean(decision(world), data)
    assert refusal.value.message.startswith(message)
    assert refusal.value.field == field


def test_it_refuses_a_second_role_of_the_same_name(world):
    make_role(world.finance, "Bookkeeper")
    with pytest.raises(ChangeInvalid, match="Finance already has a role called “treasurer”"):
        change_kinds["role.create"].clean(decision(world), {"circle": world.finance.pk, "name": "treasurer"})


def test_it_refuses_a_circle_of_another_organisation(world):
    other_circle = world.other.circles.get(is_general=True)
    with pytest.raises(ChangeInvalid, match="does not exist in this organisation"):
        change_kinds["role.create"].clean(decision(world), {"circle": other_circle.pk, "name": "Spy"})


def test_it_amends_a_role_and_describes_only_what_changes(world):
    role = make_role(world.finance, "Bookkeeper", purpose="Old purpose", seats=1)
    ctx = decision(world)
    kind = change_kinds["role.amend"]
    initial = kind.initial(role)
    assert initial["role"] == role.pk and initial["purpose"] == "Old purpose"
    data = kind.clean(ctx, {**initial, "purpose": "Keeps the books.", "seats": 2, "accountabilities": ["Paying bills"]})
    rows = {row.label: row for row in kind.describe(ctx, data).rows}
    assert set(rows) == {"Purpose", "Seats", "Accountabilities"}
    assert rows["Purpose"].before == "Old purpose" and rows["Purpose"].text
    assert rows["Accountabilities"].after == ["Paying bills"]
    kind.apply(ctx, data)
    role.refresh_from_db()
    assert (role.purpose, role.seats, role.accountabilities) == ("Keeps the books.", 2, ["Paying bills"])
    event = Event.objects.get(verb="role.updated", object_id=role.pk)
    assert event.details["decision"]["proposal"] == 101


def test_an_amendment_must_change_something(world):
    role = make_role(world.finance, "Bookkeeper")
    with pytest.raises(ChangeInvalid, match="Say what changes"):
        change_kinds["role.amend"].clean(decision(world), {"role": role.pk})


def test_fewer_seats_than_holders_is_refused(world):
    role = make_role(world.finance, "Bookkeeper", seats=2)
    role_assign(role=role, member=world.member(world.mia), by=None)
    role_assign(role=role, member=world.member(world.steve), by=None)
    with pytest.raises(ChangeInvalid, match="2 people hold “Bookkeeper” now") as refusal:
        change_kinds["role.amend"].clean(decision(world), {"role": role.pk, "seats": 1})
    assert refusal.value.field == "seats"


def test_an_amendment_to_a_role_retired_meanwhile_no_longer_applies(world):
    role = make_role(world.finance, "Bookkeeper")
    ctx = decision(world)
    data = change_kinds["role.amend"].clean(ctx, {"role": role.pk, "purpose": "New"})
    role_archive(role=role, by=None)
    with pytest.raises(ChangeInvalid, match="The role “Bookkeeper” has been retired"):
        change_kinds["role.amend"].apply(ctx, data)


def test_the_second_amendment_is_checked_against_the_first(world):
    """Two decisions drafted against one role: the first lowers the seats' ceiling by renaming into
    a clash, the second then meets the structure the first left."""
    role = make_role(world.finance, "Paymaster")
    make_role(world.finance, "Bookkeeper")
    ctx = decision(world)
    first = change_kinds["role.amend"].clean(ctx, {"role": role.pk, "name": "Accounts"})
    second = change_kinds["role.create"].clean(ctx, {"circle": world.finance.pk, "name": "Accounts"})
    change_kinds["role.amend"].apply(ctx, first)
    with pytest.raises(ChangeInvalid, match="already has a role called “Accounts”"):
        change_kinds["role.create"].apply(ctx, second)


def test_it_retires_a_role_ending_its_terms(world):
    role = make_role(world.finance, "Bookkeeper")
    term = role_assign(role=role, member=world.member(world.mia), by=None)
    ctx = decision(world)
    kind = change_kinds["role.retire"]
    data = kind.clean(ctx, {"role": role.pk})
    description = kind.describe(ctx, data)
    assert description.summary == "Retire the role “Bookkeeper” of “Finance”"
    assert description.rows[0].before == ["Mia Member"]
    kind.apply(ctx, data)
    role.refresh_from_db()
    assert role.is_archived
    assert RoleAssignment.objects.get(pk=term.pk).end_reason == RoleAssignment.EndReason.REMOVED
    assert Event.objects.get(verb="role.archived", object_id=role.pk).details["decision"]["proposal"] == 101


def test_a_core_role_cannot_be_retired(world):
    steward = Role.objects.get(circle=world.finance, kind=Role.Kind.STEWARD)
    with pytest.raises(ChangeInvalid, match="core role of every circle"):
        change_kinds["role.retire"].clean(decision(world), {"role": steward.pk})


def test_the_changes_reach_the_roles_circle(world):
    role = make_role(world.outreach, "Writer")
    ctx = decision(world)
    assert change_kinds["role.amend"].circles(ctx, {"role": role.pk}) == [world.outreach]
    assert change_kinds["role.create"].circles(ctx, {"circle": world.finance.pk}) == [world.finance]


def test_the_forms_and_serializers_shape_the_data(world):
    role = make_role(world.finance, "Bookkeeper")
    form = change_kinds["role.amend"].form_class(
        data={
            "role": role.pk,
            "name": "Bookkeeper",
            "seats": 2,
            "time_period": "week",
            "selection": "appointed",
            "election_method": "sociocratic",
            "accountabilities": "One\nTwo",
            "time_hours": "1.5",
        },
        organisation=world.organisation,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["accountabilities"] == ["One", "Two"]
    assert form.cleaned_data["time_hours"] == "1.5"
    serializer = change_kinds["role.amend"].serializer_class(data={"role": role.pk, "time_hours": "2.0"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"role": role.pk, "time_hours": "2.0"}
    change_kinds["role.amend"].clean(decision(world), dict(serializer.validated_data))


def test_a_direct_edit_meanwhile_is_what_the_change_meets(world):
    role = make_role(world.finance, "Bookkeeper", seats=2)
    ctx = decision(world)
    data = change_kinds["role.amend"].clean(ctx, {"role": role.pk, "seats": 1})
    role_update(role=role, by=None, seats=2)
    role_assign(role=role, member=world.member(world.mia), by=None)
    role_assign(role=role, member=world.member(world.steve), by=None)
    with pytest.raises(ChangeInvalid, match="more than 1 seat"):
        change_kinds["role.amend"].apply(ctx, data)
