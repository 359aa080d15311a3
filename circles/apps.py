from django.apps import AppConfig

from governance.hooks import invitation_accepted


class CirclesConfig(AppConfig):
    name = "circles"

    def ready(self):
        from .services import invitation_roster_join  # it loads models, which exist once the registry is ready

        invitation_accepted.register(invitation_roster_join)
