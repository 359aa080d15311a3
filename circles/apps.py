from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

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
        event_types.add("policy.section_added", _("Policy section added"))
        event_types.add("policy.section_amended", _("Policy section amended"))
        event_types.add("policy.section_repealed", _("Policy section repealed"))
        event_types.add("working_group.ending", _("Working group ending"))
