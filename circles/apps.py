from django.apps import AppConfig

from governance.hooks import invitation_accepted


class CirclesConfig(AppConfig):
    name = "circles"

    def ready(self):
        from . import changes
        from .services import invitation_roster_join

        invitation_accepted.register(invitation_roster_join)
        changes.register()
