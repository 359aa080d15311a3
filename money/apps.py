from django.apps import AppConfig

from governance.changes import change_kinds
from governance.inbox import inbox_sources
from governance.integrations.events import event_types


class MoneyConfig(AppConfig):
    """Money sits above proposals: spending and allocating are changes a proposal carries, which
    this app registers with the core's registry of change kinds."""

    name = "money"
    verbose_name = "Money"

    def ready(self):
        from . import changes, inbox  # they import models, which load only once the app registry is ready

        change_kinds.register(changes.budget_allocate_kind.key, changes.budget_allocate_kind)
        change_kinds.register(changes.spending_commit_kind.key, changes.spending_commit_kind)
        inbox_sources.register(inbox.payments_to_record)
        event_types.add("fund.created", "Fund created")
        event_types.add("budget.created", "Budget created (a liquid pot, empty)")
        event_types.add("income.recorded", "Income recorded")
        event_types.add("budget.allocated", "Budget allocated", "budget.allocated", "budget.released")
        event_types.add("spending.created", "Spending proposed")
        event_types.add("spending.committed", "Spending committed")
        event_types.add("payment.recorded", "Payment recorded")
        event_types.add("commitment.returned", "Commitment returned")
        event_types.add("entry.reversed", "Ledger entry reversed")
        event_types.add("round.opened", "Participatory round opened")
        event_types.add("round.finalised", "Participatory round finalised")
