"""factory_boy factories. Organisations are made through the service, so they come with a general
circle and a steward role just as in the product."""

import factory

from circles.services import circle_create, roster_add
from governance.models import MembershipClass, User
from governance.services import member_add, organisation_create
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


def make_organisation(name="Acme Co-op", *, admin=None, slug=""):
    admin = admin or UserFactory()
    return organisation_create(name=name, slug=slug, creator=admin)


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
