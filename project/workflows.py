"""The workflows that span apps: founding an organisation, and what a member leaving ends.

Each is one transaction that calls the services of the apps that own the rows (the core, circles,
roles), so every write records its own event and none re-implements another app's rule.
"""

from __future__ import annotations

import rules
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from circles.models import CircleMembership
from circles.services import circle_create, roster_leave
from governance.errors import NotAllowed
from governance.models import Member, Organisation, User
from governance.services import LEFT_PREFIX, organisation_create
from money.services import liquid_pot_found
from roles.models import RoleAssignment
from roles.services import assignment_end, steward_assign

from .shapes import shape_build, shape_for


@transaction.atomic
def organisation_found(
    *,
    name: str,
    creator: User,
    slug: str = "",
    description: str = "",
    time_zone: str = "UTC",
    language: str = "en",
    currency: str = "EUR",
    general_circle_name: str = "General circle",
    structure_by_consent: bool = True,
) -> Organisation:
    """Found an organisation: a default membership class, the creator as its first admin member, its
    general circle, and the creator as the general circle's steward. A new organisation changes its
    structure by consent (Organisation.structure_by_consent) unless asked otherwise."""
    organisation = organisation_create(
        name=name,
        creator=creator,
        slug=slug,
        description=description,
        time_zone=time_zone,
        language=language,
        currency=currency,
    )
    if organisation.structure_by_consent != structure_by_consent:
        organisation.structure_by_consent = structure_by_consent
        organisation.save(update_fields=["structure_by_consent"])
    founder = Member.objects.get(organisation=organisation, user=creator)
    general = circle_create(
        organisation=organisation,
        by=founder,
        name=general_circle_name,
        parent=None,
        purpose="All members of the organisation, together.",
    )
    steward_assign(circle=general, member=founder, by=founder)
    return organisation


def creation_refusal(user: User) -> str | None:
    """Why this person may not start an organisation (the site's ORGANISATION_CREATORS), or None."""
    if rules.test_rule("governance.create_organisation", user):
        return None
    if settings.ORGANISATION_CREATORS == "site_admins":
        return _("On this site, only its administrators start organisations; ask them to open one for you.")
    return _("You may not start an organisation.")


@transaction.atomic
def organisation_start(
    *,
    creator: User,
    name: str,
    shape: str,
    slug: str = "",
    time_zone: str = "UTC",
    language: str = "en",
    currency: str = "EUR",
    description: str = "",
) -> Organisation:
    """Start an organisation from the browser or the API: founded as `organisation_found` does, then
    given its starting shape (project.shapes), all in one transaction. Whether this person may start
    one at all is the site's setting, checked here too, so that no door forgets it."""
    refusal = creation_refusal(creator)
    if refusal:
        raise NotAllowed(refusal)
    chosen = shape_for(shape)
    with translation.override(language if language in dict(settings.LANGUAGES) else "en"):
        general_name = str(chosen.general_circle)
    organisation = organisation_found(
        name=name,
        creator=creator,
        slug=slug,
        description=description,
        time_zone=time_zone,
        language=language,
        currency=currency,
        general_circle_name=general_name,
        # The starting shape is laid down by the founder, before there is anyone to consent; from
        # then on the structure changes by consent.
        structure_by_consent=False,
    )
    founder = Member.objects.get(organisation=organisation, user=creator)
    shape_build(organisation=organisation, key=shape, founder=founder)
    organisation.structure_by_consent = True
    organisation.save(update_fields=["structure_by_consent"])
    return organisation


def member_holdings_end(member: Member, by: Member | None, reason: str) -> None:
    """A member left the organisation (the core's `member_left` hook, see project/apps.py): each
    roster they are on, then each role term they hold or were to hold, ends with their reason.

    Rosters first: a stay that a role seated them in (double-linking) then ends as leaving, like the
    others, rather than as the end of that term."""
    for membership in CircleMembership.objects.current().filter(member=member).select_related("circle__organisation"):
        roster_leave(membership=membership, by=by, reason=LEFT_PREFIX + reason)
    for assignment in RoleAssignment.objects.open().filter(member=member).order_by("pk"):
        assignment_end(assignment=assignment, by=by, reason=RoleAssignment.EndReason.LEFT)


def liquid_pot_for_shape(*, organisation, shape, key, founder, circles):
    """project.shapes.shape_extras: a shape that names a liquid pot (the network) gets money's
    collective fund and the general circle's pot, in the founding transaction."""
    if "liquid_pot" in shape.extras:
        liquid_pot_found(organisation=organisation, by=founder)
