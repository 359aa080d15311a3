from django.apps import AppConfig

from governance.integrations.events import event_types


class RolesConfig(AppConfig):
    name = "roles"

    def ready(self):
        # Imported here: these modules load models, which exist only once the app registry is ready.
        from governance.hooks import stewardship

        from .queries import circles_stewarded_by

        stewardship.register(circles_stewarded_by)
        event_types.add("role.assigned", "Role assigned")
        event_types.add("role.term_ending", "Role term ending")
        event_types.add("election.opened", "Election opened")
        event_types.add("election.closed", "Election closed")
