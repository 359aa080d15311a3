from django.apps import AppConfig

from governance.hooks import event_links, invitation_accepted


class CirclesConfig(AppConfig):
    name = "circles"

    def ready(self):
        from . import links
        from .services import invitation_roster_join  # it loads models, which exist once the registry is ready

        invitation_accepted.register(invitation_roster_join)
        event_links.register("circle", links.circle_links)
        event_links.register("circlemembership", links.membership_links)
