from django.apps import AppConfig

from governance.integrations.events import event_types


class RecordConfig(AppConfig):
    """Health, participation, history, search, the open record, export and erasure, and term summaries:
    read from every app below, so it sits just below the project package."""

    name = "record"
    verbose_name = "Record"

    def ready(self):
        from .search import register_built_in_kinds  # it loads models, which exist once the registry is ready

        register_built_in_kinds()
        # money_spent (record/hooks.py) is filled here when the money app is merged.
        event_types.add("term_summary.published", "Term summary published")
        event_types.add("member.erased", "Member erased at their request")
