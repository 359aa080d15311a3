from django.apps import AppConfig
from django.core import checks

from governance.integrations.events import event_types


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Organisations and members"

    def ready(self):
        # Imported here: these modules load models, which exist only once the app registry is ready.
        from governance.checks import check_sane_dates, check_single_line_text

        checks.register(check_single_line_text, "governance")
        checks.register(check_sane_dates, "governance")
        event_types.add("member.joined", "Member joined", "member.joined", "member.rejoined")
