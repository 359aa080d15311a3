from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circles"

    def ready(self):
        # Imported here: these modules load models, which exist only once the app registry is ready.
        from governance.hooks import invitation_accepted

        from .services import invitation_roster_join

        invitation_accepted.register(invitation_roster_join)
