from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project package: settings, root URLs, the API router, the Celery app, the demo, and the
    workflows and pages that span apps. It sits above every app and may use any of them."""

    name = "project"
    verbose_name = "Project"

    def ready(self):
        # Imported here: these modules load models, which exist only once the app registry is ready.
        from governance.hooks import member_left

        from .workflows import member_holdings_end

        member_left.register(member_holdings_end)
