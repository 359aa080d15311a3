from django.apps import AppConfig

from governance.hooks import member_left


class ProjectConfig(AppConfig):
    """The project package: settings, root URLs, the API router, the Celery app, the demo, and the
    workflows and pages that span apps. It sits above every app and may use any of them."""

    name = "project"
    verbose_name = "Project"

    def ready(self):
        from .workflows import member_holdings_end  # it loads models, which exist once the registry is ready

        member_left.register(member_holdings_end)
