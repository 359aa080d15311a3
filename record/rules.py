"""Who may do what with the record: the dashboard, participation and history are every member's;
the open record's settings, the export and an erasure are the admins'; a term summary is drafted,
edited and published by the circle's steward or secretary (or an admin)."""

import rules

from governance.rules import (
    is_integration,
    is_organisation_admin,
    is_organisation_member,
    member_for,
    stewarded_circle_ids,
)
from meetings.rules import role_circle_ids

from .models import TermSummary


def _circle(obj):
    return obj.circle if isinstance(obj, TermSummary) else obj


@rules.predicate
def is_member_of_circle_organisation(user, obj):
    return member_for(user, _circle(obj).organisation_id) is not None


@rules.predicate
def keeps_the_circle_record(user, obj):
    """The circle's steward or secretary, or an admin of its organisation."""
    circle = _circle(obj)
    member = member_for(user, circle.organisation_id)
    if member is None:
        return False
    return (
        member.is_admin
        or circle.pk in stewarded_circle_ids(user, circle.organisation_id)
        or circle.pk in role_circle_ids(user, circle.organisation_id, "secretary")
    )


@rules.predicate
def is_published(user, summary):
    return summary.is_published


rules.add_rule("record.view_health", is_organisation_member)
rules.add_rule("record.view_participation", is_organisation_member)
rules.add_rule("record.search", is_organisation_member)
rules.add_rule("record.change_settings", is_organisation_admin & ~is_integration)
rules.add_rule("record.export_organisation", is_organisation_admin & ~is_integration)
rules.add_rule("record.erase_member", is_organisation_admin & ~is_integration)
# A circle.
rules.add_rule("record.draft_summary", keeps_the_circle_record)
# A term summary.
rules.add_rule("record.view_summary", is_member_of_circle_organisation & (is_published | keeps_the_circle_record))
rules.add_rule("record.change_summary", keeps_the_circle_record & ~is_published)
rules.add_rule("record.publish_summary", keeps_the_circle_record & ~is_published)
