from django.apps import AppConfig

from governance.changes import change_kinds
from governance.hooks import event_links, invitation_accepted
from governance.integrations.events import event_types


class CirclesConfig(AppConfig):
    name = "circles"

    def ready(self):
        from . import (  # they load models, which exist once the registry is ready
            changes,
            links,
            services,
            structure_changes,
        )

        invitation_accepted.register(services.invitation_roster_join)
        event_links.register("circle", links.circle_links)
        event_links.register("circlemembership", links.membership_links)
        changes.register()
        for kind in structure_changes.KINDS:
            change_kinds.register(kind.key, kind)
        event_types.add("policy.section_added", "Policy section added")
        event_types.add("policy.section_amended", "Policy section amended")
        event_types.add("policy.section_repealed", "Policy section repealed")
        event_types.add("working_group.ending", "Working group ending")
