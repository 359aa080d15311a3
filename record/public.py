"""The open record: what an organisation chose to show to anyone, without an account.

Each read returns only what its switch allows (RecordSettings) and only what is already final and
meant to be seen: closed rounds (title, circle, outcome, outcome statement, how many responded), the
events of the chosen verbs (what and when, never who or the details), active roles with their holders'
names, published minutes. Never a draft, a position, a ballot, an email or an event's details."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from circles.models import Circle
from governance.models import Event, Organisation
from meetings.models import Minutes
from proposals.models import Proposal
from roles.models import Role, RoleAssignment

from .models import PUBLIC_VERBS, RecordSettings

LIMIT = 100


def open_organisation(slug: str, *, part: str | None = None) -> tuple[Organisation, RecordSettings]:
    """The organisation and its settings if it opened its record (that `part` of it); else 404, the same
    answer as for an organisation that does not exist."""
    settings = RecordSettings.objects.select_related("organisation").filter(organisation__slug=slug).first()
    if settings is None or not settings.is_open or (part is not None and not getattr(settings, part)):
        raise Http404("No such open record.")
    return settings.organisation, settings


def public_decisions(organisation: Organisation):
    return (
        Proposal.objects.filter(organisation=organisation, state=Proposal.State.CLOSED)
        .select_related("circle")
        .only(
            "pk",
            "title",
            "outcome",
            "outcome_statement",
            "closed_at",
            "opened_at",
            "method",
            "tally",
            "eligible_count",
            "circle__name",
            "circle__slug",
            "organisation_id",
        )
        .order_by("-closed_at", "-pk")
    )


def public_log(organisation: Organisation, settings: RecordSettings):
    verbs = [v for v in settings.public_log_verbs if v in PUBLIC_VERBS]
    return (
        Event.objects.filter(organisation=organisation, verb__in=verbs)
        .select_related("circle")
        .only("pk", "verb", "object_type", "object_repr", "created_at", "circle__name", "organisation_id")
        .order_by("-created_at", "-pk")
    )


def public_roles(organisation: Organisation):
    """Active circles with their active roles and the names of who holds each now (two queries)."""
    circles = list(Circle.objects.active().filter(organisation=organisation).order_by("-is_general", "name"))
    roles = (
        Role.objects.active()
        .filter(circle__in=circles)
        .order_by("circle_id", "kind", "name")
        .only("pk", "name", "kind", "purpose", "circle_id", "accountabilities")
    )
    holders = {}
    # Names only: an email (or a part of one) is never public.
    for role_id, name in (
        RoleAssignment.objects.current().filter(role__in=roles).values_list("role_id", "member__user__name")
    ):
        holders.setdefault(role_id, []).append(name or str(_("a member")))
    by_circle = {c.pk: [] for c in circles}
    for role in roles:
        role.holder_names = sorted(holders.get(role.pk, []))
        by_circle[role.circle_id].append(role)
    return [(c, by_circle[c.pk]) for c in circles]


def public_minutes(organisation: Organisation):
    return (
        Minutes.objects.filter(meeting__organisation=organisation, state=Minutes.State.PUBLISHED)
        .select_related("meeting__circle")
        .only(
            "pk",
            "body",
            "version",
            "published_at",
            "meeting__title",
            "meeting__starts_at",
            "meeting__circle__name",
            "meeting__organisation_id",
        )
        .order_by("-meeting__starts_at", "-pk")
    )


def verb_label(verb: str) -> str:
    return str(PUBLIC_VERBS.get(verb, verb))
