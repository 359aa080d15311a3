"""Who may do what with money. Money is transparent inside an organisation: every active member
sees its funds, budgets, ledger, spending and reports (a draft only its author and the treasurers).
Outsiders and members of other organisations see nothing (404).

Objects: a Fund, a Budget, a Spending, a Commitment, an Attachment, a Round or a Bucket; the
Organisation for `money.add_fund`."""

import rules

from circles.models import Circle
from circles.rules import user_on_roster
from governance.rules import member_for
from roles.models import Role, RoleAssignment

from .models import Attachment, Bucket, Budget, Commitment, Spending


def _organisation_id(obj) -> int:
    if isinstance(obj, Bucket):
        return obj.round.organisation_id
    return getattr(obj, "organisation_id", None) or obj.pk


def treasurer_circle_ids(user, organisation_id) -> set[int]:
    """Ids of the circles whose treasurer role this user holds now (cached on the user)."""
    member = member_for(user, organisation_id)
    if member is None:
        return set()
    cache = user.__dict__.setdefault("_treasurer_of", {})
    if organisation_id not in cache:
        cache[organisation_id] = set(
            RoleAssignment.objects.current()
            .filter(member=member, role__kind=Role.Kind.TREASURER, role__archived_at__isnull=True)
            .values_list("role__circle_id", flat=True)
        )
    return cache[organisation_id]


def general_treasurer(user, organisation_id) -> bool:
    member = member_for(user, organisation_id)
    if member is None:
        return False
    ids = treasurer_circle_ids(user, organisation_id)
    cache = user.__dict__.setdefault("_general_circle", {})
    if organisation_id not in cache:
        cache[organisation_id] = (
            Circle.objects.filter(organisation_id=organisation_id, is_general=True).values_list("pk", flat=True).first()
        )
    return cache[organisation_id] in ids


def _circle_of(obj):
    if isinstance(obj, Budget):
        return obj.circle
    if isinstance(obj, Spending | Commitment):
        return obj.budget.circle
    if isinstance(obj, Attachment):
        return obj.spending.budget.circle
    return None


@rules.predicate
def is_member(user, obj):
    return member_for(user, _organisation_id(obj)) is not None


@rules.predicate
def is_admin(user, obj):
    member = member_for(user, _organisation_id(obj))
    return bool(member and member.is_admin)


@rules.predicate
def is_treasurer(user, obj):
    """The treasurer of the object's circle, or of the general circle (the organisation's)."""
    organisation_id = _organisation_id(obj)
    if general_treasurer(user, organisation_id):
        return True
    circle = _circle_of(obj)
    return circle is not None and circle.pk in treasurer_circle_ids(user, organisation_id)


@rules.predicate
def on_budget_circle(user, budget):
    return budget.circle.archived_at is None and user_on_roster(user, budget.circle)


@rules.predicate
def can_see_spending(user, spending):
    member = member_for(user, spending.organisation_id)
    if member is None:
        return False
    return spending.state != Spending.State.DRAFT or spending.created_by_id == member.pk or is_treasurer(user, spending)


@rules.predicate
def is_spending_author(user, spending):
    member = member_for(user, spending.organisation_id)
    return member is not None and spending.created_by_id == member.pk


@rules.predicate
def can_see_attachment(user, attachment):
    return can_see_spending(user, attachment.spending)


@rules.predicate
def has_share(user, round_):
    member = member_for(user, round_.organisation_id)
    return member is not None and round_.shares.filter(member=member).exists()


@rules.predicate
def on_round_circle(user, round_):
    return user_on_roster(user, round_.circle)


rules.add_rule("money.add_fund", is_admin | is_treasurer)
rules.add_rule("money.view_fund", is_member)
rules.add_rule("money.manage_fund", is_admin | is_treasurer)  # income, reversals
rules.add_rule("money.view_budget", is_member)
rules.add_rule("money.add_spending", on_budget_circle)
rules.add_rule("money.view_spending", can_see_spending)
rules.add_rule("money.change_spending", can_see_spending & is_spending_author)
rules.add_rule("money.record_payment", is_treasurer | is_admin)
rules.add_rule("money.view_attachment", can_see_attachment)
rules.add_rule("money.view_round", is_member)
rules.add_rule("money.add_round", is_admin | is_treasurer)
rules.add_rule("money.allocate", has_share)
rules.add_rule("money.add_bucket", on_round_circle)
rules.add_rule("money.view_reports", is_member)
