from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from governance.hooks import event_links
from governance.inbox import inbox_kinds, inbox_sources
from governance.integrations.events import event_types


class ProposalsConfig(AppConfig):
    name = "proposals"

    def ready(self):
        from . import inbox  # it loads models, which exist once the registry is ready

        inbox_sources.register(inbox.proposals_awaiting_position)
        inbox_sources.register(inbox.objections_to_my_proposals)
        event_links.register("proposal", inbox.proposal_links)
        inbox_kinds.register("proposal.position", _("Positions to give"))
        inbox_kinds.register("proposal.objection", _("Objections to answer"))
        event_types.add("proposal.opened", "Proposal opened")
        event_types.add("position.recorded", "Position recorded")
        event_types.add("proposal.closed", "Proposal closed")
