"""Who may do what, as named predicates of the `rules` package.

Views, the API's permission class and templates all test these names (`rules.test_rule`), so a rule
lives in one place. The predicates read a per-request cache of the user's memberships, so checking
many objects on a page costs no extra queries.
"""

import operator
from datetime import datetime
from functools import reduce

import rules
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from .hooks import stewardship
from .models import ApiToken, Member
from .prepared import prepared


@prepared
def _memberships(user_id: int):
    return Member.objects.filter(user_id=user_id, status=Member.Status.ACTIVE).select_related(
        "organisation", "membership_class"
    )


def active_members(user) -> dict[int, Member]:
    """The user's active memberships, by organisation id, loaded once per user object.

    An integration's bot member acts with the rights ApiToken.bot_rights gives it (never more than
    its maker's now): its `is_admin` here is that, and it has no membership once its maker left.
    Every rule reads memberships through here, so a demoted admin's integration is demoted with them."""
    if not user or not user.is_authenticated:
        return {}
    cache = getattr(user, "_active_members", None)
    if cache is None:
        members = _memberships(user_id=user.pk)
        bots, stopped = {m.pk: m for m in members if m.is_bot}, set()
        if bots:
            for token in ApiToken.objects.filter(member_id__in=bots).select_related("created_by"):
                token.member = bots[token.member_id]
                rights = token.bot_rights
                if rights is None:
                    stopped.add(token.member_id)
                elif rights == "member":
                    token.member.is_admin = False
        cache = {m.organisation_id: m for m in members if m.pk not in stopped}
        user._active_members = cache
    return cache


def member_for(user, organisation_id) -> Member | None:
    return active_members(user).get(organisation_id)


def stewarded_circle_ids(user, organisation_id) -> set[int]:
    """Ids of the circles this user currently stewards in one organisation (cached with the
    membership). Who stewards what is the roles app's to say, through the `stewardship` hook."""
    member = member_for(user, organisation_id)
    return set() if member is None else stewarded_by(member)


def stewarded_by(member: Member) -> set[int]:
    """Ids of the circles this member stewards now, asked once per member object: the rules and the
    inbox ask it of the same request's member, so a page pays one query for both."""
    cached = member.__dict__.get("_stewarded_circles")
    if cached is None:
        found = _stewarded(member_id=member.pk, now=timezone.now()) if stewardship.receivers else ()
        cached = member.__dict__["_stewarded_circles"] = set(found)
    return cached


@prepared
def _stewarded(member_id: int, now: datetime):
    # The stewardship receivers' querysets of circle ids, as one query.
    found = stewardship.collect(member_id, now)
    return reduce(lambda one, other: one.union(other), found[1:], found[0])


def in_circles_stewarded_by(field: str, member, now) -> Q:
    """`field` (a circle's id) is one the member stewards at `now`, as subqueries of the query it
    filters (the stewardship receivers answer with lazy querysets), so it costs no query of its own
    and its SQL is the same whoever the member is. `member` is a member or its id."""
    found = (Q(**{f"{field}__in": ids}) for ids in stewardship.collect(member, now))
    return reduce(operator.or_, found, Q(pk__in=[]))


def forget_access_cache(user) -> None:
    """Drop the cached memberships after a change that alters them (used by tests and long requests).
    A request's user is a lazy object that keeps the cache on the user it wraps, so that one's is dropped."""
    if isinstance(user, LazyObject):
        user = user._wrapped
        if user is empty:
            return
    # The member objects go with it, and with them the circles each was found to steward.
    user.__dict__.pop("_active_members", None)


def _organisation_id(obj):
    return getattr(obj, "organisation_id", None) or getattr(obj, "pk", None)


@rules.predicate
def is_organisation_member(user, organisation):
    return organisation is not None and member_for(user, organisation.pk) is not None


@rules.predicate
def is_organisation_admin(user, organisation):
    member = organisation is not None and member_for(user, organisation.pk)
    return bool(member and member.is_admin)


@rules.predicate
def is_steward_anywhere(user, organisation):
    return organisation is not None and bool(stewarded_circle_ids(user, organisation.pk))


@rules.predicate
def is_integration(user, organisation):
    member = organisation is not None and member_for(user, organisation.pk)
    return bool(member and member.is_bot)


rules.add_rule("governance.view_organisation", is_organisation_member)
rules.add_rule("governance.change_organisation", is_organisation_admin)
rules.add_rule("governance.manage_members", is_organisation_admin)
rules.add_rule("governance.invite_members", is_organisation_admin | is_steward_anywhere)


@rules.predicate
def may_handle_invitation(user, invitation):
    """Send or revoke this invitation: an admin, any invitation; a steward, one into a circle whose
    roster they keep. The object may be unsaved (a creation is judged on the row it would make)."""
    if is_organisation_admin(user, invitation.organisation):
        return True
    return invitation.circle is not None and rules.test_rule("circles.manage_roster", user, invitation.circle)


rules.add_rule("governance.handle_invitation", may_handle_invitation)
# Integration tokens and webhooks: admins who are people. An integration, even with admin rights,
# cannot mint tokens or redirect webhooks, so revoking it stops everything it could do.
rules.add_rule("governance.manage_integrations", is_organisation_admin & ~is_integration)


@rules.predicate
def may_create_organisation(user):
    """Start an organisation: anyone signed up, or only site admins (superusers) when the site's
    ORGANISATION_CREATORS says so, as hosted installs do. An integration never founds one."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_bot", False) or any(m.is_bot for m in active_members(user).values()):
        return False
    return settings.ORGANISATION_CREATORS == "anyone" or user.is_superuser


rules.add_rule("governance.create_organisation", may_create_organisation)
