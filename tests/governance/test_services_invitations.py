"""invitation_create, invitation_accept and invitation_revoke: a single-use, expiring way in."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from circles.models import CircleMembership
from governance import services
from governance.errors import Conflict, Invalid
from governance.models import Event, Invitation, Member, Notification
from tests.factories import UserFactory


@pytest.fixture
def invite(world):
    def invite(email="newcomer@elsewhere.test", circle=None, by=None, **kwargs):
        return services.invitation_create(
            organisation=world.organisation,
            by=by or world.member(world.alice),
            email=email,
            membership_class=world.organisation.membership_classes.get(),
            circle=circle,
            **kwargs,
        )

    return invite


def test_it_stores_only_a_hash_of_the_token_and_queues_one_email(world, invite):
    invitation, token = invite(email="  Newcomer@Elsewhere.TEST ")

    assert invitation.email == "newcomer@elsewhere.test"
    assert invitation.token_hash == Invitation.hash_token(token) and token not in invitation.token_hash
    notification = Notification.objects.get(kind="invitation", key=f"invitation:{invitation.pk}")
    assert notification.email == "newcomer@elsewhere.test"
    assert f"{settings.SITE_URL}/invitations/{token}/" in notification.body
    assert Event.objects.get(verb="invitation.created").details == {"email": "newcomer@elsewhere.test"}


def test_it_expires_after_the_configured_number_of_days(world, invite):
    with time_machine.travel(timezone.now(), tick=False):
        invitation, _ = invite()

    assert invitation.expires_at - invitation.created_at == timedelta(days=settings.INVITATION_DAYS)


def test_it_refuses_to_invite_someone_who_is_already_a_member(world, invite):
    with pytest.raises(Conflict, match="already a member"):
        invite(email="MIA@acme.test")


def test_it_refuses_to_invite_into_an_archived_circle(world, invite):
    from circles.services import circle_archive

    circle_archive(circle=world.outreach, by=None)

    with pytest.raises(Invalid, match="active circle"):
        invite(circle=world.outreach)


def test_it_refuses_an_invitation_without_an_email(world, invite):
    with pytest.raises(Invalid, match="email address"):
        invite(email=" ")


def test_it_makes_the_person_who_accepts_a_member_in_the_invited_class(world, invite):
    invitation, token = invite()
    newcomer = UserFactory(email="newcomer@elsewhere.test")

    member = services.invitation_accept(token=token, user=newcomer)

    assert member.organisation == world.organisation and member.is_active
    assert member.membership_class == invitation.membership_class
    invitation.refresh_from_db()
    assert invitation.state == "accepted" and invitation.accepted_by == newcomer
    verbs = set(Event.objects.filter(organisation=world.organisation).values_list("verb", flat=True))
    assert {"member.joined", "invitation.accepted"} <= verbs


def test_it_puts_the_person_on_the_invited_circles_roster(world, invite):
    _, token = invite(circle=world.finance, by=world.member(world.steve))
    newcomer = UserFactory(email="newcomer@elsewhere.test")

    member = services.invitation_accept(token=token, user=newcomer)

    membership = CircleMembership.objects.current().get(circle=world.finance, member=member)
    assert membership.added_by == world.member(world.steve)
    assert Event.objects.get(verb="invitation.accepted").circle == world.finance


def test_it_accepts_an_invitation_to_a_circle_for_someone_already_in_the_organisation(world, invite):
    # A member's own address cannot be invited (they are a member), so such a link is for anyone.
    _, token = invite(email="someone@elsewhere.test", circle=world.outreach, bound_to_email=False)

    member = services.invitation_accept(token=token, user=world.nora)

    assert member == world.member(world.nora)
    assert CircleMembership.objects.current().filter(circle=world.outreach, member=member).exists()


def test_it_works_only_once(world, invite):
    _, token = invite()
    services.invitation_accept(token=token, user=UserFactory(email="newcomer@elsewhere.test"))

    with pytest.raises(Conflict, match="has been accepted"):
        services.invitation_accept(token=token, user=UserFactory())

    assert Member.objects.filter(organisation=world.organisation).count() == 6


def test_it_refuses_an_unknown_token(world):
    with pytest.raises(Invalid, match="not valid"):
        services.invitation_accept(token="made-up", user=world.oscar)


def test_it_refuses_an_invitation_after_it_expires(world, invite):
    _, token = invite()

    later = timezone.now() + timedelta(days=settings.INVITATION_DAYS, minutes=1)
    with time_machine.travel(later), pytest.raises(Conflict, match="has been expired"):
        services.invitation_accept(token=token, user=world.oscar)

    assert not Member.objects.filter(organisation=world.organisation, user=world.oscar).exists()


def test_it_still_accepts_an_invitation_on_its_last_day(world, invite):
    _, token = invite(email=world.oscar.email)

    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITATION_DAYS, minutes=-1)):
        member = services.invitation_accept(token=token, user=world.oscar)

    assert member.is_active


def test_it_revokes_a_pending_invitation_so_it_can_no_longer_be_accepted(world, invite):
    invitation, token = invite()

    services.invitation_revoke(invitation=invitation, by=world.member(world.alice))

    assert invitation.state == "revoked"
    assert Event.objects.filter(verb="invitation.revoked", object_id=invitation.pk).exists()
    with pytest.raises(Conflict, match="has been revoked"):
        services.invitation_accept(token=token, user=world.oscar)


def test_it_refuses_to_revoke_an_invitation_that_was_accepted_meanwhile(world, invite):
    invitation, token = invite(email=world.oscar.email)
    stale = Invitation.objects.get(pk=invitation.pk)
    services.invitation_accept(token=token, user=world.oscar)

    # The stale copy still looks pending; the conditional update sees the truth.
    assert stale.state == "pending"
    with pytest.raises(Conflict):
        services.invitation_revoke(invitation=stale, by=world.member(world.alice))

    invitation.refresh_from_db()
    assert invitation.revoked_at is None and invitation.accepted_at is not None


def test_it_lists_only_pending_invitations_as_pending(world, invite):
    pending, _ = invite(email="a@elsewhere.test")
    revoked, _ = invite(email="b@elsewhere.test")
    services.invitation_revoke(invitation=revoked, by=None)

    assert list(Invitation.objects.pending()) == [pending]
