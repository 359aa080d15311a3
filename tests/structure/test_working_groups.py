"""Working groups: a circle with a goal and an end date, reminded before it ends (frozen time),
extended or closed by decision."""

import zoneinfo
from datetime import date, datetime

import pytest
from django.test import override_settings

from circles.models import Circle
from circles.tasks import working_groups_remind as remind_task
from circles.working_groups import working_groups_remind
from governance.changes import ChangeInvalid, change_kinds
from governance.models import Event, Notification, Provenance
from roles.services import steward_assign

from .helpers import decision, enact

UTC = zoneinfo.ZoneInfo("UTC")
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def group(world, time_machine):
    """A working group under Finance, stewarded by Mia, until 1 May 2027."""
    time_machine.move_to(START)
    (circle,) = enact(
        decision(world),
        "working_group.create",
        {"parent": world.finance.pk, "name": "Audit 2027", "goal": "Audit the 2026 accounts.", "ends_on": "2027-05-01"},
    )
    steward_assign(circle=circle, member=world.member(world.mia), by=None)
    return circle


def test_it_creates_a_working_group_with_its_goal_end_and_provenance(world, group):
    assert group.parent == world.finance and group.is_working_group
    assert (group.goal, group.ends_on) == ("Audit the 2026 accounts.", date(2027, 5, 1))
    assert Provenance.objects.get(object_type="circle", object_id=group.pk).change_kind == "working_group.create"
    assert Event.objects.get(verb="working_group.created").details["decision"]["proposal"] == 101


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"goal": "", "ends_on": "2027-05-01"}, "Say what the working group is for: its goal."),
        ({"goal": "x", "ends_on": "soon"}, "Give the end date as a date (YYYY-MM-DD)."),
        ({"goal": "x", "ends_on": "2027-02-01"}, "A working group ends after today."),
    ],
)
def test_it_refuses_a_working_group_without_goal_or_future_end(world, time_machine, data, message):
    time_machine.move_to(START)
    with pytest.raises(ChangeInvalid) as refusal:
        change_kinds["working_group.create"].clean(decision(world), {"parent": world.finance.pk, "name": "G", **data})
    assert refusal.value.message == message


@override_settings(WORKING_GROUP_REMINDER_DAYS=14)
def test_it_reminds_the_steward_before_the_end_once_per_end_date(world, group, time_machine):
    time_machine.move_to(datetime(2027, 4, 16, 9, 0, tzinfo=UTC))
    assert working_groups_remind() == 0
    time_machine.move_to(datetime(2027, 4, 17, 9, 0, tzinfo=UTC))
    assert working_groups_remind() == 1
    assert working_groups_remind() == 0
    note = Notification.objects.get(kind="working_group_ending")
    assert note.recipient == world.mia
    assert f"/o/acme/c/{group.slug}/working-group/" in note.body
    assert Event.objects.filter(verb="working_group.ending", object_id=group.pk).count() == 1

    enact(decision(world, proposal_id=102), "working_group.extend", {"circle": group.pk, "ends_on": "2027-07-01"})
    group.refresh_from_db()
    assert group.ends_on == date(2027, 7, 1)
    time_machine.move_to(datetime(2027, 6, 20, 9, 0, tzinfo=UTC))
    assert remind_task() == 1  # a new end date, a new reminder


def test_without_a_steward_the_parent_steward_is_reminded(world, time_machine):
    time_machine.move_to(START)
    (circle,) = enact(
        decision(world),
        "working_group.create",
        {"parent": world.finance.pk, "name": "Fair", "goal": "Run the fair.", "ends_on": "2027-03-05"},
    )
    assert working_groups_remind() == 1
    assert Notification.objects.get(kind="working_group_ending").recipient == world.steve
    assert Circle.objects.get(pk=circle.pk).end_reminded_on == date(2027, 3, 5)


def test_an_extension_ends_after_the_current_end(world, group):
    with pytest.raises(ChangeInvalid, match="ends after the current end date, 2027-05-01"):
        change_kinds["working_group.extend"].clean(decision(world), {"circle": group.pk, "ends_on": "2027-04-01"})
    with pytest.raises(ChangeInvalid, match="is not a working group"):
        change_kinds["working_group.extend"].clean(
            decision(world), {"circle": world.finance.pk, "ends_on": "2028-01-01"}
        )


def test_closing_archives_the_group_and_a_later_extension_is_stale(world, group):
    ctx = decision(world, proposal_id=103, title="Close the audit group")
    extension = change_kinds["working_group.extend"].clean(ctx, {"circle": group.pk, "ends_on": "2027-08-01"})
    enact(ctx, "circle.archive", {"circle": group.pk, "reason": "Done"})
    group.refresh_from_db()
    assert group.is_archived
    with pytest.raises(ChangeInvalid, match="is archived"):
        change_kinds["working_group.extend"].apply(ctx, extension)


def test_the_working_group_page_shows_its_goal(world, group, as_user):
    page = as_user(world.mia).get(f"/o/acme/c/{group.slug}/working-group/").content.decode()
    assert "Audit the 2026 accounts." in page and "1 May 2027" in page
    circle_page = as_user(world.mia).get(f"/o/acme/c/{group.slug}/").content.decode()
    assert "A working group until 1 May 2027" in circle_page
