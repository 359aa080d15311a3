"""The meetings' rules (meetings/rules.py), asked directly: every persona of tests/conftest.py, a visitor
who has not logged in, Fay (Finance's facilitator) and Sam (Finance's secretary) × Finance's meetings
(agenda not yet published, published, cancelled, with Nora named to facilitate or to take the minutes,
once Finance was archived, and a weekly series), Acme's general meeting and one of Olga's organisation;
Mia's tensions in Finance (open, on an agenda, resolved, once she left Finance) and Nora's in the
general circle; action items.

Meetings are run by their circle: Alice, an admin, has no say in Finance's (she stewards the general
circle). These rules say who; a meeting's state (a published agenda, a cancellation) is the services'
to refuse, with a 409, so the grids show the same answers for it."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import rules
from django.utils import timezone

from circles.models import CircleMembership
from circles.services import circle_archive, roster_remove
from meetings.services import (
    action_item_create,
    agenda_item_add,
    agenda_publish,
    meeting_cancel,
    series_create,
    tension_raise,
    tension_resolve,
)
from tests.factories import UserFactory, fresh, give_role, grid, make_facilitator, make_meeting, make_member

PERSONAS = ("anonymous", "oscar", "olga", "nora", "mia", "steve", "otto", "alice", "fay", "sam")
Y, N = True, False
HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def cast(module_world):
    world = module_world
    alice, steve, mia, nora, otto = (
        world.member(getattr(world, name)) for name in ("alice", "steve", "mia", "nora", "otto")
    )
    olga = world.other.members.get(user=world.olga)
    other_general = world.other.circles.get(is_general=True)
    fay = make_member(world.organisation, user=UserFactory(email="fay@acme.test", name="Fay Facilitator"))
    make_facilitator(world.finance, fay)
    sam = make_member(
        world.organisation, user=UserFactory(email="sam@acme.test", name="Sam Secretary"), circles=[world.finance]
    )
    give_role(world.finance, sam, "secretary")

    def meeting(circle=world.finance, by=steve, **leads):
        return make_meeting(circle, by=by, use_default_leads=False, **leads)

    published = meeting()
    agenda_item_add(meeting=published, by=steve, title="Budget review")
    agenda_publish(meeting=published, by=steve)
    cancelled = meeting()
    meeting_cancel(meeting=cancelled, by=steve, reason="Half the circle is away.")
    unpublished = meeting()
    starts = timezone.now() + timedelta(days=3)
    meetings = {
        "agenda-unpublished": unpublished,
        "agenda-published": published,
        "cancelled": cancelled,
        "nora-facilitates": meeting(facilitator=nora),
        "nora-takes-minutes": meeting(secretary=nora),
        "in-archived-finance": unpublished,
        "series": series_create(
            circle=world.finance, by=steve, title="Weekly", starts_at=starts, ends_at=starts + HOUR, frequency="weekly"
        ),
        "general-meeting": meeting(world.general, by=alice),
        "other-meeting": meeting(other_general, by=olga),
    }

    on_agenda = tension_raise(circle=world.finance, by=mia, title="Invoices pile up")
    agenda_item_add(meeting=published, by=mia, tension=on_agenda)
    resolved = tension_raise(circle=world.finance, by=mia, title="No receipts")
    tension_resolve(tension=resolved, by=steve, note="We scan them now.")
    open_ = tension_raise(circle=world.finance, by=mia, title="Nobody answers the bank")
    tensions = {
        "open": open_,
        "on-agenda": on_agenda,
        "resolved": resolved,
        "in-archived-finance": open_,
        "after-mia-left-finance": open_,
        "general-by-nora": tension_raise(circle=world.general, by=nora, title="Too many meetings"),
        "other": tension_raise(circle=other_general, by=olga, title="No members yet"),
    }

    def action(circle=world.finance, *, owner, by):
        return action_item_create(circle=circle, by=by, title="Call the bank", owner=owner)

    mias = action(owner=mia, by=steve)
    actions = {
        "mias-set-by-steve": mias,
        "mias-after-she-left-finance": mias,
        "mias-in-archived-finance": mias,
        "fays-set-by-mia": action(owner=fay, by=mia),
        "noras-in-general-set-by-otto": action(world.general, owner=nora, by=otto),
        "other": action(other_general, owner=olga, by=olga),
    }
    people = {name: getattr(world, name) for name in PERSONAS if hasattr(world, name)}
    people.update(anonymous=None, fay=fay.user, sam=sam.user)
    return SimpleNamespace(world=world, people=people, meetings=meetings, tensions=tensions, actions=actions)


def arrange(world, state):
    """What a state adds to the shared objects, inside the case (its savepoint undoes it)."""
    if "archived-finance" in state:
        circle_archive(circle=fresh(world.finance), by=None)
    if "-left-finance" in state:
        membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)
        roster_remove(membership=membership, by=None, reason="Moved to Outreach.")


def in_state(cast, objects, state):
    arrange(cast.world, state)
    return fresh(objects[state])


def circle_in(world, state):
    arrange(world, state)
    circles = {
        "finance": world.finance,
        "archived-finance": world.finance,
        "outreach": world.outreach,
        "acme-general": world.general,
        "other-general": world.other.circles.get(is_general=True),
    }
    return fresh(circles[state])


def ask(cast, rule, persona, obj) -> bool:
    return rules.test_rule(rule, fresh(cast.people[persona]), obj)


# fmt: off
# The object is a Circle.
SCHEDULE_MEETING = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "finance":                      (N,   N,    N,   N,   N,  Y,    N,   N,    Y,  N),
    "archived-finance":             (N,   N,    N,   N,   N,  N,    N,   N,    N,  N),
    "outreach":                     (N,   N,    N,   N,   N,  N,    Y,   N,    N,  N),
    "acme-general":                 (N,   N,    N,   N,   N,  N,    N,   Y,    N,  N),
    "other-general":                (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
# The object is a Circle: its roster raises tensions and adds action items (everyone, in the general
# circle) until it is archived.
THE_CIRCLES_ROSTER = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "finance":                      (N,   N,    N,   N,   Y,  Y,    N,   N,    Y,  Y),
    "archived-finance":             (N,   N,    N,   N,   N,  N,    N,   N,    N,  N),
    "outreach":                     (N,   N,    N,   N,   N,  N,    Y,   N,    N,  N),
    "acme-general":                 (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y,  Y),
    "other-general":                (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
VIEW_MEETING = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "agenda-unpublished":           (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y,  Y),
    "cancelled":                    (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y,  Y),
    "in-archived-finance":          (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y,  Y),
    "other-meeting":                (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
# The steward and the facilitator (named on the meeting, or holding the circle's facilitator role).
MANAGE_AGENDA = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "agenda-unpublished":           (N,   N,    N,   N,   N,  Y,    N,   N,    Y,  N),
    "agenda-published":             (N,   N,    N,   N,   N,  Y,    N,   N,    Y,  N),
    "cancelled":                    (N,   N,    N,   N,   N,  Y,    N,   N,    Y,  N),
    "nora-facilitates":             (N,   N,    N,   Y,   N,  Y,    N,   N,    Y,  N),
    "nora-takes-minutes":           (N,   N,    N,   N,   N,  Y,    N,   N,    Y,  N),
    "in-archived-finance":          (N,   N,    N,   N,   N,  N,    N,   N,    N,  N),
    "general-meeting":              (N,   N,    N,   N,   N,  N,    N,   Y,    N,  N),
    "other-meeting":                (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
# The same people change a meeting, or a series (whose named leads are the circle's role holders).
CHANGE_MEETING = {
    **MANAGE_AGENDA,
    #                                anon oscar olga nora mia steve otto alice fay sam
    "series":                       (N,   N,    N,   N,   N,  Y,    N,   N,    Y,  N),
}
# The circle's roster (everyone, in the general circle) and the meeting's leads.
ADD_AGENDA_ITEM = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "agenda-unpublished":           (N,   N,    N,   N,   Y,  Y,    N,   N,    Y,  Y),
    "agenda-published":             (N,   N,    N,   N,   Y,  Y,    N,   N,    Y,  Y),
    "cancelled":                    (N,   N,    N,   N,   Y,  Y,    N,   N,    Y,  Y),
    "nora-facilitates":             (N,   N,    N,   Y,   Y,  Y,    N,   N,    Y,  Y),
    "nora-takes-minutes":           (N,   N,    N,   Y,   Y,  Y,    N,   N,    Y,  Y),
    "in-archived-finance":          (N,   N,    N,   N,   N,  N,    N,   N,    N,  N),
    "general-meeting":              (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y,  Y),
    "other-meeting":                (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
# The steward, the facilitator and the secretary.
RECORD_ATTENDANCE = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "agenda-unpublished":           (N,   N,    N,   N,   N,  Y,    N,   N,    Y,  Y),
    "cancelled":                    (N,   N,    N,   N,   N,  Y,    N,   N,    Y,  Y),
    "nora-facilitates":             (N,   N,    N,   Y,   N,  Y,    N,   N,    Y,  Y),
    "nora-takes-minutes":           (N,   N,    N,   Y,   N,  Y,    N,   N,    Y,  Y),
    "in-archived-finance":          (N,   N,    N,   N,   N,  N,    N,   N,    N,  N),
    "general-meeting":              (N,   N,    N,   N,   N,  N,    N,   Y,    N,  N),
    "other-meeting":                (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
# The steward and the secretary (named on the meeting, or holding the circle's secretary role).
WRITE_MINUTES = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "agenda-unpublished":           (N,   N,    N,   N,   N,  Y,    N,   N,    N,  Y),
    "agenda-published":             (N,   N,    N,   N,   N,  Y,    N,   N,    N,  Y),
    "nora-facilitates":             (N,   N,    N,   N,   N,  Y,    N,   N,    N,  Y),
    "nora-takes-minutes":           (N,   N,    N,   Y,   N,  Y,    N,   N,    N,  Y),
    "in-archived-finance":          (N,   N,    N,   N,   N,  N,    N,   N,    N,  N),
    "general-meeting":              (N,   N,    N,   N,   N,  N,    N,   Y,    N,  N),
    "other-meeting":                (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
# Tensions are Mia's in Finance, unless the state names another.
VIEW_TENSION = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "open":                         (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y,  Y),
    "resolved":                     (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y,  Y),
    "other":                        (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
# Its raiser rewords it until it is resolved, on the roster or not.
CHANGE_TENSION = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "open":                         (N,   N,    N,   N,   Y,  N,    N,   N,    N,  N),
    "on-agenda":                    (N,   N,    N,   N,   Y,  N,    N,   N,    N,  N),
    "resolved":                     (N,   N,    N,   N,   N,  N,    N,   N,    N,  N),
    "in-archived-finance":          (N,   N,    N,   N,   N,  N,    N,   N,    N,  N),
    "after-mia-left-finance":       (N,   N,    N,   N,   Y,  N,    N,   N,    N,  N),
    "general-by-nora":              (N,   N,    N,   Y,   N,  N,    N,   N,    N,  N),
    "other":                        (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
# Its raiser or the meeting's leads, while on the circle's roster.
RESOLVE_TENSION = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "open":                         (N,   N,    N,   N,   Y,  Y,    N,   N,    Y,  Y),
    "on-agenda":                    (N,   N,    N,   N,   Y,  Y,    N,   N,    Y,  Y),
    "resolved":                     (N,   N,    N,   N,   N,  N,    N,   N,    N,  N),
    "in-archived-finance":          (N,   N,    N,   N,   N,  N,    N,   N,    N,  N),
    "after-mia-left-finance":       (N,   N,    N,   N,   N,  Y,    N,   N,    Y,  Y),
    "general-by-nora":              (N,   N,    N,   Y,   N,  N,    N,   Y,    N,  N),
    "other":                        (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
VIEW_ACTION_ITEM = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "mias-set-by-steve":            (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y,  Y),
    "other":                        (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
# Its owner, whoever set it and the circle's steward, until the circle is archived.
CHANGE_ACTION_ITEM = {
    #                                anon oscar olga nora mia steve otto alice fay sam
    "mias-set-by-steve":            (N,   N,    N,   N,   Y,  Y,    N,   N,    N,  N),
    "mias-after-she-left-finance":  (N,   N,    N,   N,   Y,  Y,    N,   N,    N,  N),
    "mias-in-archived-finance":     (N,   N,    N,   N,   N,  N,    N,   N,    N,  N),
    "fays-set-by-mia":              (N,   N,    N,   N,   Y,  Y,    N,   N,    Y,  N),
    "noras-in-general-set-by-otto": (N,   N,    N,   Y,   N,  N,    Y,   Y,    N,  N),
    "other":                        (N,   N,    Y,   N,   N,  N,    N,   N,    N,  N),
}
# fmt: on


@pytest.mark.parametrize(("state", "persona", "expected"), grid(SCHEDULE_MEETING, PERSONAS))
def test_the_circles_steward_and_facilitator_schedule_its_meetings(db, cast, state, persona, expected):
    assert ask(cast, "meetings.schedule_meeting", persona, circle_in(cast.world, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(THE_CIRCLES_ROSTER, PERSONAS))
def test_the_circles_roster_raises_tensions_in_it(db, cast, state, persona, expected):
    assert ask(cast, "meetings.raise_tension", persona, circle_in(cast.world, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(THE_CIRCLES_ROSTER, PERSONAS))
def test_the_circles_roster_adds_action_items_to_it(db, cast, state, persona, expected):
    assert ask(cast, "meetings.add_action_item", persona, circle_in(cast.world, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(VIEW_MEETING, PERSONAS))
def test_every_member_of_its_organisation_sees_a_meeting(db, cast, state, persona, expected):
    assert ask(cast, "meetings.view_meeting", persona, in_state(cast, cast.meetings, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(CHANGE_MEETING, PERSONAS))
def test_the_steward_and_the_facilitator_change_a_meeting_or_a_series(db, cast, state, persona, expected):
    assert ask(cast, "meetings.change_meeting", persona, in_state(cast, cast.meetings, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(MANAGE_AGENDA, PERSONAS))
def test_the_steward_and_the_facilitator_manage_the_agenda(db, cast, state, persona, expected):
    assert ask(cast, "meetings.manage_agenda", persona, in_state(cast, cast.meetings, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(ADD_AGENDA_ITEM, PERSONAS))
def test_the_circle_and_the_meetings_leads_add_agenda_items(db, cast, state, persona, expected):
    assert ask(cast, "meetings.add_agenda_item", persona, in_state(cast, cast.meetings, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(RECORD_ATTENDANCE, PERSONAS))
def test_the_steward_the_facilitator_and_the_secretary_record_attendance(db, cast, state, persona, expected):
    assert ask(cast, "meetings.record_attendance", persona, in_state(cast, cast.meetings, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(WRITE_MINUTES, PERSONAS))
def test_the_steward_and_the_secretary_write_the_minutes(db, cast, state, persona, expected):
    assert ask(cast, "meetings.write_minutes", persona, in_state(cast, cast.meetings, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(VIEW_TENSION, PERSONAS))
def test_every_member_of_its_organisation_sees_a_tension(db, cast, state, persona, expected):
    assert ask(cast, "meetings.view_tension", persona, in_state(cast, cast.tensions, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(CHANGE_TENSION, PERSONAS))
def test_its_raiser_rewords_a_tension_until_it_is_resolved(db, cast, state, persona, expected):
    assert ask(cast, "meetings.change_tension", persona, in_state(cast, cast.tensions, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(RESOLVE_TENSION, PERSONAS))
def test_its_raiser_and_the_circles_leads_on_its_roster_resolve_a_tension(db, cast, state, persona, expected):
    assert ask(cast, "meetings.resolve_tension", persona, in_state(cast, cast.tensions, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(VIEW_ACTION_ITEM, PERSONAS))
def test_every_member_of_its_organisation_sees_an_action_item(db, cast, state, persona, expected):
    assert ask(cast, "meetings.view_action_item", persona, in_state(cast, cast.actions, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(CHANGE_ACTION_ITEM, PERSONAS))
def test_its_owner_its_setter_and_the_steward_change_an_action_item(db, cast, state, persona, expected):
    assert ask(cast, "meetings.change_action_item", persona, in_state(cast, cast.actions, state)) is expected
