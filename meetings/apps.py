from django.apps import AppConfig

from governance.integrations.events import event_types
from proposals import hooks as proposal_hooks


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        # Imported here: the services load models, which exist only once the app registry is ready.
        from meetings.services.tensions import tension_follow_withdrawn_round, tensions_follow_closed_rounds

        proposal_hooks.round_closed.register(tensions_follow_closed_rounds)
        proposal_hooks.round_withdrawn.register(tension_follow_withdrawn_round)
        event_types.add("meeting.scheduled", "Meeting scheduled")
        event_types.add("agenda.published", "Agenda published")
        event_types.add("minutes.published", "Minutes published")
        event_types.add("tension.raised", "Tension raised")
