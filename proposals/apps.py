from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from circles import hooks as circle_hooks
from governance.hooks import event_links, member_left
from governance.inbox import inbox_kinds, inbox_sources
from governance.integrations.events import event_types


class ProposalsConfig(AppConfig):
    name = "proposals"

    def ready(self):
        from . import inbox, proxies  # they load models, which exist once the registry is ready

        inbox_sources.register(inbox.proposals_awaiting_position)
        inbox_sources.register(inbox.objections_to_my_proposals)
        event_links.register("proposal", inbox.proposal_links)
        inbox_kinds.register("proposal.position", _("Positions to give"))
        inbox_kinds.register("proposal.objection", _("Objections to answer"))
        event_types.add("proposal.opened", "Proposal opened")
        event_types.add("position.recorded", "Position recorded")
        event_types.add("proposal.closed", "Proposal closed")
        event_types.add("proxy.given", "Proxy given")
        event_types.add("proxy.revoked", "Proxy revoked")
        event_types.add("proxy.ended", "Proxy ended (the holder or the grantor left)")
        member_left.register(proxies.proxies_end_for_member)
        circle_hooks.roster_ended.register(proxies.proxies_end_for_roster)
        event_types.add("proposal.enacted", "Proposal enacted", "proposal.enacted", "proposal.not_enacted")
        event_types.add("change.applied", "Change applied")
