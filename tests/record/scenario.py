"""One hand-made term of the Finance circle (the world's personas), with every figure worked out by hand
in the docstring of `build`, so that each test of a figure checks against these numbers."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from meetings.models import ActionItem
from meetings.services import action_item_create, action_item_update, attendance_record, tension_raise
from proposals.models import Proposal
from proposals.services import position_record, proposal_amend, proposal_close, proposal_create, proposal_open
from roles.services import role_assign
from tests.conftest import make_world
from tests.factories import make_meeting, make_role

T0 = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@dataclass
class Scenario:
    world: object
    p1: Proposal
    p2: Proposal
    p3: Proposal
    treasurer: object
    bookkeeper: object
    treasurer_term: object
    tension: object


def _round(time_machine, world, title, *, opened, closes_in=None):
    steve = world.member(world.steve)
    time_machine.move_to(opened, tick=False)
    proposal = proposal_create(circle=world.finance, author=steve, title=title, body=f"We propose {title.lower()}.")
    return proposal_open(proposal=proposal, by=steve, closes_at=opened + closes_in if closes_in else None)


def build(time_machine) -> Scenario:
    """The world's personas, made at T0-60d, then in Finance (roster: Steve the steward, Mia), all times
    UTC, "now" being T0 = 15 June 2026 noon:

    - P1 "Adopt a budget": opened T0-40d, Steve consents, closed T0-33d (13 May): passed at version 1,
      7 days. Mia never responds.
    - P2 "Open an account": opened T0-20d; Steve consents; Mia objects; amended at T0-19d (her objection
      retired as "amended": integrated; Steve's consent retired too); Steve and Mia consent to v2;
      closed T0-10d (5 June): passed at version 2, 10 days.
    - P3 "Buy a printer": opened T0-5d closing T0-2d; Steve consents, Mia objects (standing); closed
      T0-2d (13 June): rejected, 3 days.

    So: 3 closed; per month 2026-05 passed 1, 2026-06 passed 1 + other 1; median 7 days; passed at first
    round 1 of 3 (33%); objections raised 2, integrated 1 (50%).

    - A meeting at T0-7d: Steve present, Mia absent.
    - Mia's actions: "File receipts" due T0-1d (overdue), "Plan audit" due T0+5d, "Pay rent" due
      T0-3d done at T0-4d (on time): 3 actions, 1 done, 1 on time; 1 overdue in the circle.
    - Mia holds Paymaster (2 seats, 20 h/week, 3 accountabilities, planned end T0+10d) and Bookkeeper
      (50 h/month = 11.5 h/week, 1 accountability): 31.5 h/week, 4 accountabilities, 2 roles, flagged
      at 30 even in one circle. Paymaster has one seat open.
    - A tension "Receipts pile up" raised at T0-6d, still open.
    """
    time_machine.move_to(T0 - 60 * DAY, tick=False)
    world = make_world()
    steve, mia = world.member(world.steve), world.member(world.mia)
    p1 = _round(time_machine, world, "Adopt a budget", opened=T0 - 40 * DAY)
    position_record(proposal=p1, member=steve, kind="consent")
    time_machine.move_to(T0 - 33 * DAY, tick=False)
    assert proposal_close(proposal_id=p1.pk)

    p2 = _round(time_machine, world, "Open an account", opened=T0 - 20 * DAY)
    position_record(proposal=p2, member=steve, kind="consent")
    position_record(proposal=p2, member=mia, kind="objection", reason="Which bank?")
    time_machine.move_to(T0 - 19 * DAY, tick=False)
    proposal_amend(proposal=p2, by=steve, title="Open an account", body="At the co-operative bank.", change_note="Bank")
    position_record(proposal=p2, member=steve, kind="consent")
    position_record(proposal=p2, member=mia, kind="consent")
    time_machine.move_to(T0 - 10 * DAY, tick=False)
    assert proposal_close(proposal_id=p2.pk)

    p3 = _round(time_machine, world, "Buy a printer", opened=T0 - 5 * DAY, closes_in=3 * DAY)
    position_record(proposal=p3, member=steve, kind="consent")
    position_record(proposal=p3, member=mia, kind="objection", reason="We print little.")
    time_machine.move_to(T0 - 2 * DAY, tick=False)
    assert proposal_close(proposal_id=p3.pk)

    time_machine.move_to(T0 - 8 * DAY, tick=False)
    meeting = make_meeting(world.finance, by=steve, starts_in=DAY)
    time_machine.move_to(T0 - 6 * DAY, tick=False)
    attendance_record(meeting=meeting, by=steve, member=steve, status="present")
    attendance_record(meeting=meeting, by=steve, member=mia, status="absent")
    tension = tension_raise(circle=world.finance, by=mia, title="Receipts pile up")

    time_machine.move_to(T0 - 5 * DAY, tick=False)
    action_item_create(circle=world.finance, by=steve, title="File receipts", owner=mia, due=(T0 - DAY).date())
    action_item_create(circle=world.finance, by=steve, title="Plan audit", owner=mia, due=(T0 + 5 * DAY).date())
    rent = action_item_create(circle=world.finance, by=steve, title="Pay rent", owner=mia, due=(T0 - 3 * DAY).date())
    time_machine.move_to(T0 - 4 * DAY, tick=False)
    action_item_update(item=rent, by=mia, status=ActionItem.Status.DONE)

    time_machine.move_to(T0 - 30 * DAY, tick=False)
    treasurer = make_role(world.finance, "Paymaster", seats=2, time_hours=20, accountabilities=["a", "b", "c"])
    bookkeeper = make_role(
        world.finance, "Bookkeeper", time_hours=50, time_period="month", accountabilities=["d"], term_months=None
    )
    term = role_assign(role=treasurer, member=mia, by=None, planned_end_at=T0 + 10 * DAY)
    role_assign(role=bookkeeper, member=mia, by=None)
    time_machine.move_to(T0, tick=False)
    return Scenario(world, p1, p2, p3, treasurer, bookkeeper, term, tension)
