from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from circles import hooks as circle_hooks
from governance.changes import change_kinds
from governance.hooks import event_links, stewardship
from governance.inbox import inbox_kinds, inbox_sources
from governance.integrations.events import event_types


class RolesConfig(AppConfig):
    name = "roles"

    def ready(self):
        from . import changes, inbox, queries, services  # they load models, which exist once the registry is ready
        from .services import appoint

        circle_hooks.circle_founded.register(services.core_roles_ensure)
        circle_hooks.roster_removing.register(services.roster_removal_refusal)
        circle_hooks.roster_removed.register(services.roster_departure_terms_end)
        circle_hooks.circle_moved.register(services.parent_links_follow)
        circle_hooks.stewards.register(queries.stewards_by_circle)
        circle_hooks.steward_appoint.register(appoint.steward_appoint)
        stewardship.register(queries.circles_stewarded_by)
        inbox_sources.register(inbox.my_terms_ending)
        event_links.register("role", inbox.role_links)
        event_links.register("roleassignment", inbox.assignment_links)
        inbox_kinds.register("role.term_ending", _("Terms ending"))
        event_types.add("role.assigned", _("Role assigned"))
        event_types.add("role.term_ending", _("Role term ending"))
        for kind in changes.KINDS:
            change_kinds.register(kind.key, kind)
