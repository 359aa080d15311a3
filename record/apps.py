from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from governance.integrations.events import event_types

from .hooks import money_spent


class RecordConfig(AppConfig):
    """Health, participation, history, search, the open record, export and erasure, and term summaries:
    read from every app below, so it sits just below the project package."""

    name = "record"
    verbose_name = _("Record")

    def ready(self):
        from money.queries import spent_by_category  # they load models, which exist once the registry is ready

        from .search import register_built_in_kinds

        register_built_in_kinds()
        money_spent.register(spent_by_category)
        event_types.add("term_summary.published", _("Term summary published"))
        event_types.add("member.erased", _("Member erased at their request"))
