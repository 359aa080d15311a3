from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from governance.changes import change_kinds
from governance.hooks import event_links
from governance.inbox import inbox_kinds, inbox_sources
from governance.integrations.events import event_types
from proposals import hooks as proposal_hooks


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from . import changes, inbox, services  # they load models, which exist once the registry is ready

        inbox_sources.register(inbox.agendas_to_publish)
        inbox_sources.register(inbox.minutes_to_publish)
        inbox_sources.register(inbox.my_actions_due)
        inbox_sources.register(inbox.my_meetings_this_week)
        event_links.register("meeting", inbox.meeting_links)
        event_links.register("tension", inbox.tension_links)
        event_links.register("actionitem", inbox.action_links)
        event_links.register("meetingseries", inbox.series_links)
        inbox_kinds.register("meeting.today", _("Meetings today"))
        inbox_kinds.register("meeting.week", _("Meetings this week"))
        inbox_kinds.register("meeting.agenda", _("Agendas to publish"))
        inbox_kinds.register("meeting.minutes", _("Minutes to publish"))
        inbox_kinds.register("action.due", _("Actions due"))
        proposal_hooks.round_closed.register(services.tensions.tensions_follow_closed_rounds)
        proposal_hooks.round_withdrawn.register(services.tensions.tension_follow_withdrawn_round)
        for kind in changes.KINDS:
            change_kinds.register(kind.key, kind)
        event_types.add("meeting.scheduled", _("Meeting scheduled"))
        event_types.add("agenda.published", _("Agenda published"))
        event_types.add("minutes.published", _("Minutes published"))
        event_types.add("tension.raised", _("Tension raised"))
