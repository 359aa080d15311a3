from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circles"

    def ready(self):
        from governance.hooks import invitation_accepted

        from .services import invitation_roster_join

        invitation_accepted.register(invitation_roster_join)
