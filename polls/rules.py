"""Who may do what with polls. The object is a Poll (for polls.open_poll, a Circle)."""

import rules

from circles.rules import user_on_roster
from governance.rules import member_for, stewarded_circle_ids
from roles.rules import is_admin_of


@rules.predicate
def can_see_poll(user, poll):
    return member_for(user, poll.organisation_id) is not None


@rules.predicate
def in_poll_circle(user, poll):
    return user_on_roster(user, poll.circle)


@rules.predicate
def organises_poll(user, poll):
    """Who opened it; the circle's steward and admins too."""
    member = member_for(user, poll.organisation_id)
    if member is None:
        return False
    return (
        poll.created_by_id == member.pk
        or is_admin_of(user, poll.organisation_id)
        or poll.circle_id in stewarded_circle_ids(user, poll.organisation_id)
    )


@rules.predicate
def on_circle_roster(user, circle):
    return user_on_roster(user, circle)


rules.add_rule("polls.view_poll", can_see_poll)
rules.add_rule("polls.answer_poll", can_see_poll & in_poll_circle)
rules.add_rule("polls.manage_poll", can_see_poll & organises_poll)
rules.add_rule("polls.open_poll", on_circle_roster)
