from django.apps import AppConfig

from circles import hooks as circle_hooks
from governance.hooks import stewardship
from governance.integrations.events import event_types


class RolesConfig(AppConfig):
    name = "roles"

    def ready(self):
        from . import queries, services  # they load models, which exist once the registry is ready
        from .services import appoint

        circle_hooks.circle_founded.register(services.core_roles_ensure)
        circle_hooks.roster_removing.register(services.roster_removal_refusal)
        circle_hooks.stewards.register(queries.stewards_by_circle)
        circle_hooks.steward_appoint.register(appoint.steward_appoint)
        stewardship.register(queries.circles_stewarded_by)
        event_types.add("role.assigned", "Role assigned")
        event_types.add("role.term_ending", "Role term ending")
