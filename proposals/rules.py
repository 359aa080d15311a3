"""Who may do what with proposals. The object is a Proposal, except for `proposals.add_proposal`
(a Circle)."""

import rules

from circles.rules import user_on_roster
from governance.rules import member_for, stewarded_circle_ids

from .models import EligibleVoter, Proposal


def _member(user, proposal):
    return member_for(user, proposal.organisation_id)


@rules.predicate
def is_circle_member(user, circle):
    return user_on_roster(user, circle) and circle.archived_at is None


@rules.predicate
def can_see(user, proposal):
    member = _member(user, proposal)
    if member is None:
        return False
    # Drafts are private to their author until the round opens.
    return proposal.state != Proposal.State.DRAFT or proposal.author_id == member.pk


@rules.predicate
def is_author(user, proposal):
    member = _member(user, proposal)
    return member is not None and proposal.author_id == member.pk


@rules.predicate
def is_eligible(user, proposal):
    member = _member(user, proposal)
    return member is not None and EligibleVoter.objects.filter(proposal=proposal, member=member).exists()


@rules.predicate
def is_steward(user, proposal):
    return proposal.circle_id in stewarded_circle_ids(user, proposal.organisation_id)


@rules.predicate
def in_the_circle(user, proposal):
    return user_on_roster(user, proposal.circle)


@rules.predicate
def round_may_change(user, proposal):
    """A draft, or an open round before its deadline. After the deadline the only thing that may
    happen to a round is its close."""
    return proposal.state == Proposal.State.DRAFT or (proposal.is_open and not proposal.deadline_passed())


@rules.predicate
def is_open(user, proposal):
    return proposal.is_open


@rules.predicate
def changes_may_change(user, proposal):
    """A draft, an open round before its deadline (an amendment), or a passed round that could not be
    enacted (before it is re-opened)."""
    return round_may_change(user, proposal) or proposal.passed_not_enacted


@rules.predicate
def passed_not_enacted(user, proposal):
    return proposal.passed_not_enacted


rules.add_rule("proposals.add_proposal", is_circle_member)
rules.add_rule("proposals.view_proposal", can_see)
rules.add_rule("proposals.change_proposal", can_see & is_author)
rules.add_rule("proposals.add_position", can_see & is_eligible)
rules.add_rule("proposals.write_outcome", can_see & (is_author | is_steward))
rules.add_rule("proposals.comment", can_see & (in_the_circle | is_eligible | is_author))
# What the page offers: who may, and whether the round still allows it. The API checks who only
# (change_proposal) and lets the service refuse the state with a 409.
rules.add_rule("proposals.offer_withdraw", can_see & is_author & round_may_change)
rules.add_rule("proposals.offer_amend", can_see & is_author & is_open & round_may_change)
rules.add_rule("proposals.change_changes", can_see & is_author & changes_may_change)
rules.add_rule("proposals.reopen", can_see & is_author & passed_not_enacted)
