"""Organisations and their membership classes."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.functional import lazy
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from governance.errors import Conflict, Invalid
from governance.models import LANGUAGE_CHOICES, TIME_ZONE_CHOICES, Member, MembershipClass, Organisation, User

from .events import changes_apply, event_record


def local_time(organisation: Organisation, moment) -> str:
    """A moment as people of the organisation read it in mail: their zone, weekday and all. Lazy: it is
    written when shown, in the reader's language ("Tuesday 03 March 2026, 10:00 CET", "mardi 3 mars
    2026, 10:00 CET"), as an email is rendered once per language of its recipients."""
    return _local_time(timezone.localtime(moment, organisation.tzinfo))


def _local_time_text(local) -> str:
    return dateformat.format(local, pgettext("a moment in an email: format of the date filter", "l d F Y, H:i T"))


_local_time = lazy(_local_time_text, str)


def unique_slug(model, base: str, *, fallback: str = "item", **scope) -> str:
    base = slugify(base)[:50] or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


SLUG_MAX = 60
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_CURRENCY = re.compile(r"^[A-Z]{3}\Z")
_TIME_ZONES = {name for name, _label in TIME_ZONE_CHOICES}
_LANGUAGES = {code for code, _label in LANGUAGE_CHOICES}
NAME_MAX = Organisation._meta.get_field("name").max_length


def slug_problem(slug: str) -> str | None:
    """Why an organisation cannot have this address (its /o/<slug>/), or None if it is free."""
    if not slug:
        return _("Choose an address: lower-case letters, digits and hyphens.")
    if len(slug) > SLUG_MAX:
        return _("Keep the address to %(max)d characters.") % {"max": SLUG_MAX}
    if not _SLUG.match(slug):
        return _("An address has lower-case letters, digits and single hyphens only (such as “river-co-op”).")
    if Organisation.objects.filter(slug=slug).exists():
        return _("The address “%(slug)s” is taken; choose another, such as “%(other)s”.") % {
            "slug": slug,
            "other": unique_slug(Organisation, slug),
        }
    return None


def _clean_organisation(*, name: str, time_zone: str, language: str, currency: str) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        raise Invalid(_("An organisation needs a name."), field="name")
    if len(name) > NAME_MAX:
        raise Invalid(_("Keep the name to %(max)d characters.") % {"max": NAME_MAX}, field="name")
    if time_zone not in _TIME_ZONES:
        raise Invalid(_("Choose a time zone from the list, such as Europe/London."), field="time_zone")
    if language not in _LANGUAGES:
        raise Invalid(_("Choose a language from the list."), field="language")
    currency = (currency or "").strip().upper()
    if not _CURRENCY.match(currency):
        raise Invalid(_("A currency is its three-letter ISO 4217 code, such as EUR, GBP or USD."), field="currency")
    return name, currency


@transaction.atomic
def organisation_create(
    *,
    name: str,
    creator: User,
    slug: str = "",
    description: str = "",
    time_zone: str = "UTC",
    language: str = "en",
    currency: str = "EUR",
) -> Organisation:
    """Create an organisation with a default membership class and the creator as its first admin
    member. An organisation is founded with its general circle too: see project.workflows.

    A chosen address that is taken or malformed is refused with a message that says why (and offers a
    free one); with none chosen, one is made from the name."""
    name, currency = _clean_organisation(name=name, time_zone=time_zone, language=language, currency=currency)
    slug = (slug or "").strip().lower()
    if slug:
        problem = slug_problem(slug)
        if problem:
            raise (Conflict if Organisation.objects.filter(slug=slug).exists() else Invalid)(problem, field="slug")
    else:
        slug = unique_slug(Organisation, name, fallback="organisation")
    organisation = Organisation.objects.create(
        name=name,
        slug=slug,
        description=description,
        time_zone=time_zone,
        language=language,
        currency=currency,
    )
    members_class = MembershipClass.objects.create(organisation=organisation, name="Members", voting_weight=1)
    creator_member = Member.objects.create(
        organisation=organisation, user=creator, membership_class=members_class, is_admin=True
    )
    event_record(organisation=organisation, actor=creator_member, verb="organisation.created", obj=organisation)
    return organisation


ORGANISATION_SETTINGS = (
    "name",
    "description",
    "time_zone",
    "language",
    "currency",
    "circle_size_min",
    "circle_size_max",
    "load_max_circles",
    "consent_round_days",
    "proxies_max_held",
    "structure_by_consent",
)


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: Member | None, **changes) -> Organisation:
    unknown = set(changes) - set(ORGANISATION_SETTINGS)
    if unknown:
        raise Invalid(_("Unknown setting: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if changes.get("consent_round_days", organisation.consent_round_days) < 1:
        raise Invalid(_("A consent round lasts at least one day."), field="consent_round_days")
    if not 0 <= changes.get("proxies_max_held", organisation.proxies_max_held) <= 20:
        raise Invalid(_("One member holds between 0 and 20 proxies."), field="proxies_max_held")
    if changes.get("load_max_circles", organisation.load_max_circles) < 1:
        raise Invalid(_("The role-load guidance is at least one circle."), field="load_max_circles")
    if {"name", "time_zone", "language", "currency"} & set(changes):
        changes["name"], changes["currency"] = _clean_organisation(
            name=changes.get("name", organisation.name),
            time_zone=changes.get("time_zone", organisation.time_zone),
            language=changes.get("language", organisation.language),
            currency=changes.get("currency", organisation.currency),
        )
    size_min = changes.get("circle_size_min", organisation.circle_size_min)
    size_max = changes.get("circle_size_max", organisation.circle_size_max)
    if size_min < 1 or size_min > size_max:
        raise Invalid(
            _("The smallest circle size must be at least 1 and not above the largest."), field="circle_size_min"
        )
    changed = changes_apply(organisation, changes)
    if changed:
        organisation.save(update_fields=list(changed))
        event_record(
            organisation=organisation,
            actor=by,
            verb="organisation.updated",
            obj=organisation,
            details={"changes": changed},
        )
    return organisation


@transaction.atomic
def membership_class_save(
    *,
    organisation: Organisation,
    by: Member | None,
    name: str,
    voting_weight: int,
    may_vote: bool,
    description: str = "",
    membership_class: MembershipClass | None = None,
) -> MembershipClass:
    """Create a membership class, or change one (its weight applies to rounds opened afterwards)."""
    name = name.strip()
    if not name:
        raise Invalid(_("A membership class needs a name."), field="name")
    if voting_weight < 0:
        raise Invalid(_("Voting weight cannot be negative."), field="voting_weight")
    clash = MembershipClass.objects.filter(organisation=organisation, name__iexact=name)
    if membership_class is not None:
        clash = clash.exclude(pk=membership_class.pk)
    if clash.exists():
        raise Invalid(_("There is already a membership class called “%(name)s”.") % {"name": name}, field="name")
    if may_vote and membership_class is not None and membership_class.members.filter(is_bot=True).exists():
        raise Invalid(_("Integrations are members of this class, and an integration never votes."), field="may_vote")
    fields = {"name": name, "voting_weight": voting_weight, "may_vote": may_vote, "description": description}
    if membership_class is None:
        membership_class = MembershipClass.objects.create(organisation=organisation, **fields)
        event_record(
            organisation=organisation,
            actor=by,
            verb="membership_class.created",
            obj=membership_class,
            details={"voting_weight": voting_weight, "may_vote": may_vote},
        )
        return membership_class
    changes = changes_apply(membership_class, fields)
    if changes:
        membership_class.save(update_fields=list(changes))
        event_record(
            organisation=organisation,
            actor=by,
            verb="membership_class.updated",
            obj=membership_class,
            details={"changes": changes},
        )
    return membership_class
