from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from circles import hooks as circle_hooks
from governance.inbox import inbox_kinds, inbox_sources
from governance.integrations.events import event_types
from proposals import hooks as proposal_hooks
from roles import hooks as role_hooks


class ElectionsConfig(AppConfig):
    """Elections: their models are roles' (roles/models.py, with their tables and migrations), the
    rest lives here. Elections sit above proposals (a sociocratic selection is a consent round), so
    they take part in what roles and proposals do through those apps' hooks."""

    name = "elections"

    def ready(self):
        from . import councils, inbox, services  # they import models, which load only once the app registry is ready

        inbox_sources.register(inbox.elections_awaiting_member)
        inbox_kinds.register("election.nomination", _("Nominations to answer"))
        inbox_kinds.register("election.ballot", _("Ballots to cast"))
        circle_hooks.roster_removing.register(councils.council_removal_refusal)

        proposal_hooks.round_closed.register(services.election_rounds_closed)
        role_hooks.rotation_steps.register(services.elections_rotation_step)
        role_hooks.role_archived.register(services.elections_cancel_for_role)
        event_types.add("election.opened", _("Election opened"))
        event_types.add("election.closed", _("Election closed"))
        event_types.add("election.voting_opened", _("Election voting opened"))
        event_types.add("election.candidacy", _("Candidate standing in an election"))
        event_types.add("election.voted", _("Ballot cast (who voted, never what)"))
        event_types.add("council.seated", _("Elected to a council"))
        event_types.add("election.nomination_accepted", _("Nominee accepted to stand"))
        event_types.add("election.nomination_declined", _("Nominee declined to stand"))
        event_types.add("council.unseated", _("Council term ended"))
