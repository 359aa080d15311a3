from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from governance.integrations.events import event_types


class PollsConfig(AppConfig):
    """Polls for what is not a decision: score polls, dot votes and time polls. A layer above
    meetings, so that a time poll schedules its meeting through meetings' services."""

    name = "polls"
    verbose_name = _("Polls")

    def ready(self):
        event_types.add("poll.opened", _("Poll opened"))
        event_types.add("poll.closed", _("Poll closed"))
