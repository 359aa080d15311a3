from django.apps import AppConfig

from circles import hooks as circle_hooks
from governance.hooks import member_left
from governance.integrations.events import event_types


class ProposalsConfig(AppConfig):
    name = "proposals"

    def ready(self):
        from . import proxies  # it loads models, which exist once the registry is ready

        event_types.add("proposal.opened", "Proposal opened")
        event_types.add("position.recorded", "Position recorded")
        event_types.add("proposal.closed", "Proposal closed")
        event_types.add("proxy.given", "Proxy given")
        event_types.add("proxy.revoked", "Proxy revoked")
        event_types.add("proxy.ended", "Proxy ended (the holder or the grantor left)")
        member_left.register(proxies.proxies_end_for_member)
        circle_hooks.roster_ended.register(proxies.proxies_end_for_roster)
