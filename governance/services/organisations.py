"""Organisations and their membership classes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from governance.errors import Invalid
from governance.models import Member, MembershipClass, Organisation, User

from .events import changes_apply, event_record


def local_time(organisation: Organisation, moment) -> str:
    """A moment as people of the organisation read it in mail: their zone, weekday and all."""
    return timezone.localtime(moment, organisation.tzinfo).strftime("%A %d %B %Y, %H:%M %Z")


def unique_slug(model, base: str, *, fallback: str = "item", **scope) -> str:
    base = slugify(base)[:50] or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *, name: str, creator: User, slug: str = "", description: str = "", time_zone: str = "UTC"
) -> Organisation:
    """Create an organisation with a default membership class and the creator as its first admin
    member. An organisation is founded with its general circle too: see project.workflows."""
    organisation = Organisation.objects.create(
        name=name, slug=slug or unique_slug(Organisation, name), description=description, time_zone=time_zone
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
    "circle_size_min",
    "circle_size_max",
    "load_max_circles",
    "consent_round_days",
    "structure_by_consent",
)


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: Member | None, **changes) -> Organisation:
    unknown = set(changes) - set(ORGANISATION_SETTINGS)
    if unknown:
        raise Invalid(f"Unknown setting: {', '.join(sorted(unknown))}.")
    if changes.get("consent_round_days", organisation.consent_round_days) < 1:
        raise Invalid("A consent round lasts at least one day.", field="consent_round_days")
    if changes.get("load_max_circles", organisation.load_max_circles) < 1:
        raise Invalid("The role-load guidance is at least one circle.", field="load_max_circles")
    size_min = changes.get("circle_size_min", organisation.circle_size_min)
    size_max = changes.get("circle_size_max", organisation.circle_size_max)
    if size_min < 1 or size_min > size_max:
        raise Invalid("The smallest circle size must be at least 1 and not above the largest.", field="circle_size_min")
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
        raise Invalid("A membership class needs a name.", field="name")
    if voting_weight < 0:
        raise Invalid("Voting weight cannot be negative.", field="voting_weight")
    clash = MembershipClass.objects.filter(organisation=organisation, name__iexact=name)
    if membership_class is not None:
        clash = clash.exclude(pk=membership_class.pk)
    if clash.exists():
        raise Invalid(f"There is already a membership class called “{name}”.", field="name")
    if may_vote and membership_class is not None and membership_class.members.filter(is_bot=True).exists():
        raise Invalid("Integrations are members of this class, and an integration never votes.", field="may_vote")
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
