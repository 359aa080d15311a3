from django.apps import AppConfig
from django.utils.translation import gettext_lazy

from governance.hooks import invitation_accepted, member_left


class ProjectConfig(AppConfig):
    """The project package: settings, root URLs, the API router, the Celery app, the demo, and the
    workflows and pages that span apps. It sits above every app and may use any of them."""

    name = "project"
    verbose_name = "Project"

    def ready(self):
        from .onboarding import invitation_more_circles_join  # models load once the registry is ready
        from .shapes import extra_providers, shape_extras
        from .workflows import liquid_pot_for_shape, member_holdings_end

        member_left.register(member_holdings_end)
        invitation_accepted.register(invitation_more_circles_join)
        # The network shape's liquid pot is money's.
        shape_extras.register(liquid_pot_for_shape)
        extra_providers.register("liquid_pot", gettext_lazy("a liquid pot the general circle's members claim from"))
