from django.apps import AppConfig

from governance.integrations.events import event_types
from proposals import hooks as proposal_hooks
from roles import hooks as role_hooks


class ElectionsConfig(AppConfig):
    """Elections: their models are roles' (roles/models.py, with their tables and migrations), the
    rest lives here. Elections sit above proposals (a sociocratic selection is a consent round), so
    they take part in what roles and proposals do through those apps' hooks."""

    name = "elections"

    def ready(self):
        from . import services  # it imports models, which load only once the app registry is ready

        proposal_hooks.round_closed.register(services.election_rounds_closed)
        role_hooks.rotation_steps.register(services.elections_rotation_step)
        role_hooks.role_archived.register(services.elections_cancel_for_role)
        event_types.add("election.opened", "Election opened")
        event_types.add("election.closed", "Election closed")
        event_types.add("election.voting_opened", "Election voting opened")
        event_types.add("election.candidacy", "Candidate standing in an election")
        event_types.add("election.voted", "Ballot cast (who voted, never what)")
