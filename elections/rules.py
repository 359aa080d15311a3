"""Who may do what in elections. The object is an Election. The state of things (a closed election)
is the services' to refuse, with a 409; these rules say who. Who may open an election is a rule on
the role (roles.start_election)."""

import rules

from circles.rules import user_on_roster
from governance.rules import member_for, stewarded_circle_ids
from roles.models import BallotVoter, Nomination, Role, RoleAssignment
from roles.rules import facilitated_circle_ids, is_admin_of


def _circle_has_facilitator(circle) -> bool:
    cache = circle.__dict__.setdefault("_has_facilitator", {})
    if "value" not in cache:
        cache["value"] = (
            RoleAssignment.objects.current()
            .filter(role__circle=circle, role__kind=Role.Kind.FACILITATOR, role__archived_at__isnull=True)
            .exists()
        )
    return cache["value"]


@rules.predicate
def can_see_election(user, election):
    return member_for(user, election.organisation_id) is not None


@rules.predicate
def in_election_circle(user, election):
    return user_on_roster(user, election.role.circle)


@rules.predicate
def runs_election(user, election):
    """The facilitator of the role's circle proposes; without one, its steward; admins always."""
    circle = election.role.circle
    if is_admin_of(user, election.organisation_id):
        return True
    if circle.pk in facilitated_circle_ids(user, election.organisation_id):
        return True
    return circle.pk in stewarded_circle_ids(user, election.organisation_id) and not _circle_has_facilitator(circle)


@rules.predicate
def stewards_election(user, election):
    return is_admin_of(user, election.organisation_id) or election.role.circle_id in stewarded_circle_ids(
        user, election.organisation_id
    )


@rules.predicate
def may_vote(user, election):
    member = member_for(user, election.organisation_id)
    return member is not None and BallotVoter.objects.filter(election=election, member=member).exists()


@rules.predicate
def is_nominee(user, election):
    member = member_for(user, election.organisation_id)
    return member is not None and Nomination.objects.filter(election=election, nominee=member).exists()


@rules.predicate
def is_voting(user, election):
    return election.state == "voting"


@rules.predicate
def before_the_deadline(user, election):
    """Under way and short of its decision's deadline (voting closed, or the consent round ended):
    after it, only the close may happen to the election."""
    return election.is_active and not election.deadline_passed()


rules.add_rule("elections.view_election", can_see_election)
rules.add_rule("elections.nominate", can_see_election & in_election_circle)
rules.add_rule("elections.stand", can_see_election & in_election_circle)
rules.add_rule("elections.propose_candidate", can_see_election & runs_election)
# Outside the voting phase the service answers (409: voting is not open) rather than a 403.
rules.add_rule("elections.vote", can_see_election & (may_vote | ~is_voting))
rules.add_rule("elections.cancel_election", can_see_election & stewards_election)
# What the page offers: the API checks who only (cancel_election), and the service refuses the state (409).
rules.add_rule("elections.offer_cancel", can_see_election & stewards_election & before_the_deadline)
# Who makes the role seat a council circle (elections.councils.role_council_set): its circle's steward, or admins.
rules.add_rule("elections.seat_council", can_see_election & stewards_election)
rules.add_rule("elections.answer_nomination", can_see_election & is_nominee)
