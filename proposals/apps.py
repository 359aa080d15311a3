from django.apps import AppConfig

from governance.integrations.events import event_types


class ProposalsConfig(AppConfig):
    name = "proposals"

    def ready(self):
        event_types.add("proposal.opened", "Proposal opened")
        event_types.add("position.recorded", "Position recorded")
        event_types.add("proposal.closed", "Proposal closed")
        event_types.add("proposal.enacted", "Proposal enacted", "proposal.enacted", "proposal.not_enacted")
        event_types.add("change.applied", "Change applied")
