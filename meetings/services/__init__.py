"""Every write to meetings, series, agendas, attendance, minutes, tensions, action items and calendar
feeds, and the periodic sweeps that materialise occurrences and send reminders, one module per
part; their public names are here, so `from meetings.services import meeting_create` reads as one.

Each function is atomic, takes keyword arguments, raises a DomainError with a clear message,
records an event and queues mail through the outbox."""

from .actions import action_item_create, action_item_update
from .agenda import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_update,
    agenda_publish,
    agenda_reorder,
)
from .feeds import calendar_feed_create, calendar_feed_revoke, calendar_feed_touch
from .meetings import (
    circle_meeting_settings_update,
    meeting_cancel,
    meeting_create,
    meeting_settings_update,
    meeting_update,
)
from .minutes import (
    attendance_everyone_present,
    attendance_record,
    attendance_record_many,
    meeting_reply,
    minutes_correct,
    minutes_publish,
    minutes_save_draft,
)
from .reminders import (
    action_items_remind,
    agenda_due_remind,
    meeting_reminders_send,
    meetings_remind,
    minutes_due_remind,
)
from .series import (
    meetings_materialise,
    series_create,
    series_end,
    series_materialise,
    series_occurrences,
    series_reschedule,
    series_update,
)
from .shaping import meeting_url
from .tensions import tension_raise, tension_resolve, tension_to_action, tension_to_proposal, tension_update

__all__ = [
    "action_item_create",
    "action_item_update",
    "action_items_remind",
    "agenda_due_remind",
    "agenda_item_add",
    "agenda_item_move",
    "agenda_item_remove",
    "agenda_item_update",
    "agenda_publish",
    "agenda_reorder",
    "attendance_everyone_present",
    "attendance_record",
    "attendance_record_many",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "calendar_feed_touch",
    "circle_meeting_settings_update",
    "meeting_cancel",
    "meeting_create",
    "meeting_reminders_send",
    "meeting_reply",
    "meeting_settings_update",
    "meeting_update",
    "meeting_url",
    "meetings_materialise",
    "meetings_remind",
    "minutes_correct",
    "minutes_due_remind",
    "minutes_publish",
    "minutes_save_draft",
    "series_create",
    "series_end",
    "series_materialise",
    "series_occurrences",
    "series_reschedule",
    "series_update",
    "tension_raise",
    "tension_resolve",
    "tension_to_action",
    "tension_to_proposal",
    "tension_update",
]
