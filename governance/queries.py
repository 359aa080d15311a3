"""Reads for organisation-level pages and the API, with the joins that keep query counts flat."""

from __future__ import annotations

import operator
from functools import reduce

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .hooks import stewardship
from .models import Event, Invitation, Member, MembershipClass, Organisation
from .rules import active_members, member_for


def get_organisation_for(
    user, slug: str, *, action: str = "governance.view_organisation"
) -> tuple[Organisation, Member]:
    """The organisation and the user's membership of it. 404 for anyone who is not an active member
    (an outsider learns nothing, not even that it exists); 403 for a member who may not do `action`.
    The organisation is the one the user's memberships were read with (active_members, once per
    request): a page costs no query of its own to find it."""
    member = next((m for m in active_members(user).values() if m.organisation.slug == slug), None)
    if member is None:
        raise Http404(_("No such organisation."))
    organisation = member.organisation
    if not rules.test_rule(action, user, organisation):
        raise PermissionDenied(_("You are not allowed to do that in this organisation."))
    return organisation, member


def visible_organisations(user):
    return Organisation.objects.filter(members__user=user, members__status=Member.Status.ACTIVE)


def member_in(organisation: Organisation, pk: int) -> Member:
    """A person's membership of the organisation (current or past; an integration's bot is not a
    person), or 404."""
    member = (
        Member.objects.filter(organisation=organisation, pk=pk, is_bot=False)
        .select_related("user", "membership_class")
        .first()
    )
    if member is None:
        raise Http404(_("No such member."))
    return member


def recent_events(organisation: Organisation, *, circle=None, limit: int = 15):
    events = Event.objects.filter(organisation=organisation).select_related("actor__user", "circle")
    if circle is not None:
        events = events.filter(circle=circle)
    return events.order_by("-created_at", "-id")[:limit]


# Reads for the API: everything across the organisations the user is an active member of. ---------


def visible_organisation_ids(user) -> list[int]:
    return list(active_members(user))


def organisations_visible_to(user):
    return Organisation.objects.filter(pk__in=visible_organisation_ids(user)).order_by("name")


def members_visible_to(user):
    """Members of the user's organisations, with user and class (what a reference by id needs)."""
    return (
        Member.objects.filter(organisation_id__in=visible_organisation_ids(user))
        .select_related("user", "membership_class")
        .order_by("user__name", "user__email", "pk")
    )


def membership_classes_visible_to(user):
    return MembershipClass.objects.filter(organisation_id__in=visible_organisation_ids(user)).order_by(
        "organisation_id", "-voting_weight", "name"
    )


def invitations_visible_to(user):
    """Admins see every invitation of their organisations; a steward sees the invitations they sent and
    those to the circles they steward now; other members see none."""
    members = active_members(user)
    admin_of = [organisation_id for organisation_id, member in members.items() if member.is_admin]
    member_ids = [member.pk for member in members.values()]
    # Ids of the circles they steward, as subqueries of this one query where the receivers allow.
    to_my_circle = [Q(circle_id__in=ids) for member in members.values() for ids in stewardship.collect(member)]
    return (
        Invitation.objects.filter(organisation_id__in=list(members))
        .filter(reduce(operator.or_, to_my_circle, Q(organisation_id__in=admin_of) | Q(invited_by_id__in=member_ids)))
        .select_related("invited_by__user")
        .order_by("-created_at", "-pk")
    )


def organisation_invitations_visible_to(user, organisation: Organisation):
    """The invitations of one organisation the user may see (invitations_visible_to), for its page."""
    return (
        invitations_visible_to(user)
        .filter(organisation=organisation)
        .select_related("circle", "membership_class", "accepted_by")
        .annotate(was_resent=Exists(Invitation.objects.filter(resent_from=OuterRef("pk"))))
    )


def events_visible_to(user):
    """The event log of the user's organisations, oldest first, so that a client syncs by `since`."""
    return (
        Event.objects.filter(organisation_id__in=visible_organisation_ids(user))
        .select_related("actor__user")
        .order_by("created_at", "pk")
    )


# Fetch and check -------------------------------------------------------------------------------

# The `what` of object_for, in the reader's language (a code word elsewhere; unknown ones stay as given).
WHAT_LABELS = {
    "action": pgettext_lazy("object kind", "action"),
    "assignment": pgettext_lazy("object kind", "assignment"),
    "attachment": pgettext_lazy("object kind", "attachment"),
    "budget": pgettext_lazy("object kind", "budget"),
    "circle": pgettext_lazy("object kind", "circle"),
    "commitment": pgettext_lazy("object kind", "commitment"),
    "election": pgettext_lazy("object kind", "election"),
    "fund": pgettext_lazy("object kind", "fund"),
    "meeting": pgettext_lazy("object kind", "meeting"),
    "poll": pgettext_lazy("object kind", "poll"),
    "proposal": pgettext_lazy("object kind", "proposal"),
    "role": pgettext_lazy("object kind", "role"),
    "round": pgettext_lazy("object kind", "round"),
    "series": pgettext_lazy("object kind", "series"),
    "spending proposal": pgettext_lazy("object kind", "spending proposal"),
    "summary": pgettext_lazy("object kind", "summary"),
    "tension": pgettext_lazy("object kind", "tension"),
}


def object_for(user, queryset, pk, *, view: str, action: str | None = None, organisation_slug=None, what: str):
    """The object of `queryset` with this pk if the user may see it, else 404, the same answer as for
    one that does not exist; 403 if they may see it but not do `action`. Every app's pages and API
    fetch through here (get_proposal_for, get_meeting_for… are this with their own joins).

    `view` is the rule that decides seeing; the object must belong to one of the user's active
    organisations (and to `organisation_slug`'s, when the URL names one)."""
    obj = queryset.filter(pk=pk).order_by().first()
    return checked_object(user, obj, view=view, action=action, organisation_slug=organisation_slug, what=what)


def checked_object(user, obj, *, view: str, action: str | None = None, organisation_slug=None, what: str):
    """object_for's checks, of an object already read (None when there is none): a page that reads
    its object with a prepared query (governance.prepared) gives the same answers."""
    if (
        obj is None
        or member_for(user, obj.organisation_id) is None
        or (organisation_slug is not None and obj.organisation.slug != organisation_slug)
        or not rules.test_rule(view, user, obj)
    ):
        raise Http404(_("No such %(what)s.") % {"what": WHAT_LABELS.get(what, what)})
    if action is not None and action != view and not rules.test_rule(action, user, obj):
        raise PermissionDenied(
            _("You are not allowed to do that with this %(what)s.") % {"what": WHAT_LABELS.get(what, what)}
        )
    return obj


def counts_by(queryset, field: str = "state", *, values=()) -> dict:
    """How many rows of the queryset have each value of `field` (a state, an outcome), in one query:
    `{"open": 3, "closed": 12}`. Each of `values` is there, with 0 if no row has it."""
    return {**dict.fromkeys(values, 0), **dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))}
