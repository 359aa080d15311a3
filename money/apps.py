from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from governance.changes import change_kinds
from governance.inbox import inbox_sources
from governance.integrations.events import event_types


class MoneyConfig(AppConfig):
    """Money sits above proposals: spending and allocating are changes a proposal carries, which
    this app registers with the core's registry of change kinds."""

    name = "money"
    verbose_name = _("Money")

    def ready(self):
        from . import changes, inbox  # they import models, which load only once the app registry is ready

        change_kinds.register(changes.budget_allocate_kind.key, changes.budget_allocate_kind)
        change_kinds.register(changes.spending_commit_kind.key, changes.spending_commit_kind)
        inbox_sources.register(inbox.payments_to_record)
        event_types.add("fund.created", _("Fund created"))
        event_types.add("budget.created", _("Budget created (a liquid pot, empty)"))
        event_types.add("income.recorded", _("Income recorded"))
        event_types.add("budget.allocated", _("Budget allocated"), "budget.allocated", "budget.released")
        event_types.add("spending.created", _("Spending proposed"))
        event_types.add("spending.committed", _("Spending committed"))
        event_types.add("payment.recorded", _("Payment recorded"))
        event_types.add("commitment.returned", _("Commitment returned"))
        event_types.add("entry.reversed", _("Ledger entry reversed"))
        event_types.add("round.opened", _("Participatory round opened"))
        event_types.add("round.finalised", _("Participatory round finalised"))
