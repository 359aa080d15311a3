"""Settings a circle owns: its proposals' round length and quorum, its agendas' due days and cadence."""

from datetime import timedelta

import pytest

from governance.changes import ChangeInvalid, change_kinds
from governance.models import Notification
from meetings.models import CircleMeetingSettings
from meetings.services import agenda_due_remind
from proposals.services import proposal_create
from tests.factories import make_facilitator, make_meeting

from .helpers import decision, enact


def test_a_circles_proposals_take_its_round_length_and_quorum(world):
    kind = change_kinds["circle.proposal_settings"]
    data = kind.clean(decision(world), {"circle": world.finance.pk, "consent_round_days": "3", "quorum_percent": 60})
    rows = {row.label: row for row in kind.describe(decision(world), data).rows}
    assert (rows["Consent round (days)"].before, rows["Consent round (days)"].after) == (7, 3)
    kind.apply(decision(world), data)
    world.finance.refresh_from_db()
    proposal = proposal_create(circle=world.finance, author=world.member(world.steve), title="T", body="B")
    assert proposal.round_length == timedelta(days=3) and proposal.quorum_percent == 60
    other = proposal_create(circle=world.outreach, author=world.member(world.otto), title="T", body="B")
    assert other.round_length == timedelta(days=7) and other.quorum_percent is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"consent_round_days": 0}, "A consent round lasts between 1 and 60 days."),
        ({"quorum_percent": 120}, "Quorum is a percentage between 1 and 100."),
    ],
)
def test_it_refuses_settings_out_of_range(world, data, message):
    with pytest.raises(ChangeInvalid, match=message):
        change_kinds["circle.proposal_settings"].clean(decision(world), {"circle": world.finance.pk, **data})


def test_a_circles_agenda_due_days_decide_its_reminders(world):
    enact(
        decision(world),
        "meetings.circle_settings",
        {"circle": world.finance.pk, "agenda_due_days": 5, "cadence": "fortnightly"},
    )
    settings = CircleMeetingSettings.objects.get(circle=world.finance)
    assert (settings.agenda_due_days, settings.cadence) == (5, "fortnightly")
    make_facilitator(world.finance, world.member(world.mia))
    make_meeting(world.finance, starts_in=timedelta(days=4))
    make_meeting(world.outreach, starts_in=timedelta(days=4))  # the organisation's 2 days: not yet due
    assert agenda_due_remind() == 1
    assert Notification.objects.get(kind="agenda_due").recipient == world.mia


def test_it_refuses_an_unknown_cadence(world):
    with pytest.raises(ChangeInvalid, match="Choose how often the circle meets"):
        change_kinds["meetings.circle_settings"].clean(
            decision(world), {"circle": world.finance.pk, "cadence": "daily"}
        )
