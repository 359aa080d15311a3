"""factory_boy factories. Organisations are made through the service, so they come with a general
circle and a steward role just as in the product."""

import factory
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser

from circles.services import circle_create, roster_add
from governance.models import MembershipClass, User
from governance.services import member_add
from project.workflows import organisation_found
from roles.services import steward_assign


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            # People in the tests have confirmed their address, so they can log in through the form
            # (sign-up confirms a new address first; see ACCOUNT_EMAIL_VERIFICATION).
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


def make_organisation(name="Acme Co-op", *, admin=None, slug="", structure_by_consent=False):
    """Tests run with direct edits of the structure unless they ask for "structure changes by consent"
    (the product's default for a new organisation: see tests/changes)."""
    admin = admin or UserFactory()
    return organisation_found(name=name, slug=slug, creator=admin, structure_by_consent=structure_by_consent)


def make_member(organisation, *, user=None, membership_class=None, is_admin=False, circles=()):
    user = user or UserFactory()
    membership_class = membership_class or MembershipClass.objects.filter(organisation=organisation).first()
    member = member_add(organisation=organisation, user=user, membership_class=membership_class, is_admin=is_admin)
    for circle in circles:
        roster_add(circle=circle, member=member, by=None)
    return member


def make_circle(organisation, name="Finance", *, parent=None, steward=None):
    parent = parent or organisation.circles.get(is_general=True)
    circle = circle_create(organisation=organisation, by=None, name=name, parent=parent)
    if steward is not None:
        steward_assign(circle=circle, member=steward, by=None)
    return circle


def make_proposal(
    circle, author, *, title="Adopt a shared budget", body="We propose a shared budget.", opened=True, **settings
):
    from proposals.services import proposal_create, proposal_open

    proposal = proposal_create(circle=circle, author=author, title=title, body=body, **settings)
    if opened:
        proposal = proposal_open(proposal=proposal, by=author)
    return proposal


def give_role(circle, member, kind):
    """Seat a member in one of the circle's core roles (facilitator, secretary…), creating the role if
    the circle does not have it yet."""
    from roles.models import Role
    from roles.services import role_assign

    role = Role.objects.filter(circle=circle, kind=kind, archived_at__isnull=True).first()
    if role is None:
        role = Role.objects.create(circle=circle, kind=kind, name=Role.Kind(kind).label)
    return role_assign(role=role, member=member, by=None)


def make_meeting(circle, *, by=None, starts_in=None, minutes=60, title="Circle meeting", **fields):
    """A one-off meeting `starts_in` (a timedelta, default: two days) from now."""
    from datetime import timedelta

    from django.utils import timezone

    from meetings.services import meeting_create

    starts_at = timezone.now() + (timedelta(days=2) if starts_in is None else starts_in)
    return meeting_create(
        circle=circle,
        by=by,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        **fields,
    )


def make_role(circle, name="Bookkeeper", **fields):
    """A custom role defined through the service (defaults: one seat, six-month terms, appointed)."""
    from roles.services import role_create

    fields.setdefault("term_months", 6)
    return role_create(circle=circle, by=None, name=name, **fields)


def make_facilitator(circle, member):
    """Make a member (put on the circle's roster if needed) the circle's facilitator."""
    from circles.models import CircleMembership
    from roles.models import Role
    from roles.services import role_assign

    if not circle.is_general and not CircleMembership.objects.current().filter(circle=circle, member=member).exists():
        roster_add(circle=circle, member=member, by=None)
    role = Role.objects.get(circle=circle, kind=Role.Kind.FACILITATOR, archived_at__isnull=True)
    return role_assign(role=role, member=member, by=None)


# Permission grids ------------------------------------------------------------------------------


def grid(table: dict, personas: tuple[str, ...]) -> list:
    """A rule's grid, `{state: (answer for each persona, in the order of personas)}`, as the
    pytest params (state, persona, expected) of one case per cell, named `state-persona`."""
    return [
        pytest.param(state, persona, expected, id=f"{state}-{persona}")
        for state, answers in table.items()
        for persona, expected in zip(personas, answers, strict=True)
    ]


def fresh(obj):
    """The object as the database has it, with nothing cached. The rules keep what they read on the
    objects they are asked about (a user's memberships, a circle's facilitator), so each case asks
    with fresh ones; None stands for a visitor who has not logged in."""
    if obj is None:
        return AnonymousUser()
    return type(obj)._default_manager.get(pk=obj.pk)


def make_integration(organisation, *, by, name="Chat bridge", is_admin=False):
    """An organisation's integration, made by the member `by`: the user its bot member acts as."""
    from governance.services import integration_token_create

    token, _key = integration_token_create(organisation=organisation, by=by, name=name, is_admin=is_admin)
    return token.user
