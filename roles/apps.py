from django.apps import AppConfig

from circles import hooks as circle_hooks


class RolesConfig(AppConfig):
    name = "roles"

    def ready(self):
        from . import queries, services  # they import models, which load only once the app registry is ready

        circle_hooks.circle_founded.register(services.core_roles_ensure)
        circle_hooks.roster_removing.register(services.roster_removal_refusal)
        circle_hooks.stewards.register(queries.stewards_by_circle)
