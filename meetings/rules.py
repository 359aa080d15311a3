"""Who may do what with meetings, agendas, attendance, minutes, tensions and action items.

Meetings, tensions and action items are transparent inside an organisation, like circles. Acting
on them belongs to the circle: its members raise tensions, add agenda items and action items; the
facilitator (of the meeting, or the holder of the circle's facilitator role) and the steward run the
meeting and its agenda; the secretary (of the meeting, or the circle's secretary role) and the
steward keep attendance and minutes. The object is a Meeting, a MeetingSeries, a Tension, an
ActionItem, or (for creating things in a circle) a Circle."""

import rules

from circles.models import Circle
from circles.rules import user_on_roster
from governance.rules import member_for, stewarded_circle_ids
from roles.models import RoleAssignment

LEAD_ROLES = ("facilitator", "secretary")


def _circle(obj) -> Circle:
    return obj if isinstance(obj, Circle) else obj.circle


def _circle_id(obj) -> int:
    return obj.pk if isinstance(obj, Circle) else obj.circle_id


def role_circle_ids(user, organisation_id, kind: str) -> set[int]:
    """Circles in which the user holds the facilitator or secretary role now (cached on the user)."""
    member = member_for(user, organisation_id)
    if member is None:
        return set()
    cache = user.__dict__.setdefault("_meeting_roles", {})
    if organisation_id not in cache:
        held = {name: set() for name in LEAD_ROLES}
        rows = (
            RoleAssignment.objects.current()
            .filter(member=member, role__kind__in=LEAD_ROLES, role__archived_at__isnull=True)
            .values_list("role__kind", "role__circle_id")
        )
        for role_kind, circle_id in rows:
            held[role_kind].add(circle_id)
        cache[organisation_id] = held
    return cache[organisation_id][kind]


def _me(user, obj):
    return member_for(user, obj.organisation_id)


@rules.predicate
def is_organisation_member(user, obj):
    return _me(user, obj) is not None


@rules.predicate
def in_the_circle(user, obj):
    return user_on_roster(user, _circle(obj))


@rules.predicate
def is_steward(user, obj):
    return _circle_id(obj) in stewarded_circle_ids(user, obj.organisation_id)


@rules.predicate
def is_facilitator(user, obj):
    """The facilitator named on the meeting or series, or the holder of the circle's facilitator role."""
    member = _me(user, obj)
    if member is None:
        return False
    if getattr(obj, "facilitator_id", None) == member.pk:
        return True
    return _circle_id(obj) in role_circle_ids(user, obj.organisation_id, "facilitator")


@rules.predicate
def is_secretary(user, obj):
    member = _me(user, obj)
    if member is None:
        return False
    if getattr(obj, "secretary_id", None) == member.pk:
        return True
    return _circle_id(obj) in role_circle_ids(user, obj.organisation_id, "secretary")


@rules.predicate
def circle_is_active(user, obj):
    return _circle(obj).archived_at is None


@rules.predicate
def is_raiser(user, tension):
    member = _me(user, tension)
    return member is not None and tension.raised_by_id == member.pk


@rules.predicate
def is_unresolved(user, tension):
    return tension.state != "resolved"


@rules.predicate
def is_owner_or_creator(user, item):
    member = _me(user, item)
    return member is not None and member.pk in (item.owner_id, item.created_by_id)


# Circle-level: the object is a Circle.
rules.add_rule("meetings.schedule_meeting", (is_steward | is_facilitator) & circle_is_active)
rules.add_rule("meetings.raise_tension", in_the_circle & circle_is_active)
rules.add_rule("meetings.add_action_item", in_the_circle & circle_is_active)

# A meeting (or a series, for change_meeting).
rules.add_rule("meetings.view_meeting", is_organisation_member)
rules.add_rule("meetings.change_meeting", (is_steward | is_facilitator) & circle_is_active)
rules.add_rule("meetings.manage_agenda", (is_steward | is_facilitator) & circle_is_active)
rules.add_rule(
    "meetings.add_agenda_item", (in_the_circle | is_steward | is_facilitator | is_secretary) & circle_is_active
)
rules.add_rule("meetings.record_attendance", (is_steward | is_facilitator | is_secretary) & circle_is_active)
rules.add_rule("meetings.write_minutes", (is_steward | is_secretary) & circle_is_active)
rules.add_rule("meetings.reply", in_the_circle & circle_is_active)

# A tension.
rules.add_rule("meetings.view_tension", is_organisation_member)
rules.add_rule("meetings.change_tension", is_raiser & is_unresolved & circle_is_active)
rules.add_rule(
    "meetings.resolve_tension",
    in_the_circle & (is_raiser | is_steward | is_facilitator | is_secretary) & is_unresolved & circle_is_active,
)

# An action item.
rules.add_rule("meetings.view_action_item", is_organisation_member)
rules.add_rule("meetings.change_action_item", (is_owner_or_creator | is_steward) & circle_is_active)
