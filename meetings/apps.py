from django.apps import AppConfig

from governance.changes import change_kinds
from governance.integrations.events import event_types


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        from . import changes  # it loads models, which exist once the registry is ready

        for kind in changes.KINDS:
            change_kinds.register(kind.key, kind)
        event_types.add("meeting.scheduled", "Meeting scheduled")
        event_types.add("agenda.published", "Agenda published")
        event_types.add("minutes.published", "Minutes published")
        event_types.add("tension.raised", "Tension raised")
