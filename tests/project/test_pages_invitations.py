"""Inviting people and accepting an invitation through the pages."""

from datetime import timedelta
from html import unescape

import time_machine
from django.urls import reverse
from django.utils import timezone

from circles.models import CircleMembership
from governance.models import Invitation, Member
from governance.services import invitation_create, invitation_revoke
from tests.factories import UserFactory, make_circle


def invite(world, *, by=None, circle=None, email="newcomer@example.org"):
    inviter = world.member(by or world.alice)
    return invitation_create(
        organisation=world.organisation,
        by=inviter,
        email=email,
        membership_class=world.organisation.membership_classes.first(),
        circle=circle,
        message="Come and help with the books!",
    )


def accept_url(token):
    return reverse("invitation_accept", kwargs={"token": token})


def page_text(response) -> str:
    return unescape(response.content.decode())


def test_a_visitor_sees_who_invites_them_and_links_to_sign_up_that_come_back(client, world):
    _, token = invite(world, circle=world.finance)

    response = client.get(accept_url(token))

    page = page_text(response)
    assert response.status_code == 200
    assert "<strong>Alice Admin</strong> invites <strong>newcomer@example.org</strong> to join Acme Co-op" in page
    assert "Finance" in page
    assert "Come and help with the books!" in page
    assert f'href="{reverse("account_signup")}?next={accept_url(token)}"' in page
    assert f'href="{reverse("account_login")}?next={accept_url(token)}"' in page


def test_a_visitor_who_posts_is_sent_to_log_in_first(client, world):
    _, token = invite(world)

    response = client.post(accept_url(token))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Member.objects.filter(organisation=world.organisation, user__email="newcomer@example.org").exists()


def test_accepting_makes_the_person_a_member_and_puts_them_on_the_circle(client, world):
    _, token = invite(world, circle=world.finance)
    newcomer = UserFactory(email="newcomer@example.org", name="Nina Newcomer")
    client.force_login(newcomer)

    response = client.post(accept_url(token), follow=True)

    member = Member.objects.get(organisation=world.organisation, user=newcomer)
    assert member.is_active
    assert CircleMembership.objects.current().filter(circle=world.finance, member=member).exists()
    assert response.redirect_chain[-1][0] == reverse("organisation", kwargs={"org": "acme"})
    assert "Welcome to Acme Co-op!" in response.content.decode()


def test_it_refuses_a_second_use_of_the_same_link(client, world):
    _, token = invite(world)
    client.force_login(UserFactory(email="newcomer@example.org"))
    client.post(accept_url(token))
    someone_else = UserFactory(email="someone@example.org")
    client.force_login(someone_else)

    shown = client.get(accept_url(token))
    refused = client.post(accept_url(token))

    assert "This invitation has already been used" in page_text(shown)
    assert "Accept and join" not in page_text(shown)
    assert refused.status_code == 409
    assert "This invitation has been accepted; ask for a new one." in page_text(refused)
    assert not Member.objects.filter(organisation=world.organisation, user=someone_else).exists()


def test_it_refuses_an_expired_link_and_says_why(client, world):
    invitation, token = invite(world)
    newcomer = UserFactory(email="newcomer@example.org")

    with time_machine.travel(invitation.expires_at + timedelta(minutes=1)):
        client.force_login(newcomer)
        shown = client.get(accept_url(token))
        refused = client.post(accept_url(token))

    assert "This invitation expired on" in page_text(shown)
    assert "Accept and join" not in page_text(shown)
    assert refused.status_code == 409
    assert "This invitation has been expired; ask for a new one." in page_text(refused)
    assert not Member.objects.filter(organisation=world.organisation, user=newcomer).exists()


def test_it_explains_a_revoked_link(client, world):
    invitation, token = invite(world)
    invitation_revoke(invitation=invitation, by=world.member(world.alice))

    response = client.get(accept_url(token))

    assert "This invitation was withdrawn by the organisation" in page_text(response)


def test_it_explains_a_link_that_does_not_exist(client, world):
    response = client.get(accept_url("not-a-real-token"))

    assert response.status_code == 404
    assert "This invitation link is not valid" in page_text(response)


def test_it_tells_a_member_they_are_already_in(client, world):
    _, token = invite(world, email="mia.private@example.org")
    client.force_login(world.mia)

    response = client.get(accept_url(token))

    assert "You are already a member of Acme Co-op." in page_text(response)


def test_an_admin_invites_someone_and_in_debug_sees_the_link(client, world, settings):
    settings.DEBUG = True
    client.force_login(world.alice)
    data = {
        "email": "Guest@Example.org",
        "membership_class": world.organisation.membership_classes.first().pk,
        "circle": world.outreach.pk,
        "message": "Welcome!",
    }

    response = client.post(reverse("invitations", kwargs={"org": "acme"}), data, follow=True)

    invitation = Invitation.objects.get(organisation=world.organisation)
    assert (invitation.email, invitation.circle, invitation.invited_by.user) == (
        "guest@example.org",
        world.outreach,
        world.alice,
    )
    page = page_text(response)
    assert "Invitation sent to guest@example.org." in page
    link = page.split("the invitation link is ")[1].split("<")[0].strip()
    assert client.get(link).status_code == 200


def test_it_does_not_show_the_link_outside_debug(client, world):
    client.force_login(world.alice)
    data = {"email": "guest@example.org", "membership_class": world.organisation.membership_classes.first().pk}

    response = client.post(reverse("invitations", kwargs={"org": "acme"}), data, follow=True)

    assert "Invitation sent to guest@example.org." in page_text(response)
    assert "/invitations/" not in page_text(response).split("Invitation sent")[1].split("</div>")[0]


def test_it_keeps_the_typed_invitation_when_the_person_is_already_a_member(client, world):
    client.force_login(world.alice)
    data = {
        "email": "mia@acme.test",
        "membership_class": world.organisation.membership_classes.first().pk,
        "message": "A typed message",
    }

    response = client.post(reverse("invitations", kwargs={"org": "acme"}), data)

    assert response.status_code == 200
    assert "mia@acme.test is already a member of Acme Co-op." in page_text(response)
    assert "A typed message" in page_text(response)
    assert not Invitation.objects.exists()


def test_a_steward_is_offered_only_the_circles_they_steward(client, world):
    client.force_login(world.steve)

    response = client.get(reverse("invitations", kwargs={"org": "acme"}))

    assert list(response.context["form"].fields["circle"].queryset) == [world.finance]


def test_an_admin_is_offered_every_active_circle_but_the_general_one(client, world):
    client.force_login(world.alice)

    response = client.get(reverse("invitations", kwargs={"org": "acme"}))

    assert set(response.context["form"].fields["circle"].queryset) == {world.finance, world.outreach}


def test_it_refuses_a_steward_inviting_into_a_circle_they_do_not_steward(client, world):
    client.force_login(world.steve)
    data = {
        "email": "sneaky@example.org",
        "membership_class": world.organisation.membership_classes.first().pk,
        "circle": world.outreach.pk,
    }

    response = client.post(reverse("invitations", kwargs={"org": "acme"}), data)

    assert response.status_code == 200
    assert "You can only invite people into a circle whose roster you keep." in page_text(response)
    assert 'value="sneaky@example.org"' in page_text(response)
    assert not Invitation.objects.exists()


def test_it_refuses_a_steward_inviting_without_a_circle(client, world):
    client.force_login(world.steve)
    data = {"email": "loose@example.org", "membership_class": world.organisation.membership_classes.first().pk}

    response = client.post(reverse("invitations", kwargs={"org": "acme"}), data)

    assert response.status_code == 200
    assert "stewards invite people into a circle they steward" in page_text(response)
    assert not Invitation.objects.exists()


def test_a_steward_sees_and_may_revoke_an_admins_invitation_into_their_circle(client, world):
    invitation, _ = invite(world, by=world.alice, circle=world.finance, email="one@example.org")
    elsewhere, _ = invite(world, by=world.alice, email="two@example.org")
    client.force_login(world.steve)

    listed = list(client.get(reverse("invitations", kwargs={"org": "acme"})).context["invitations"])
    client.post(reverse("invitation_revoke", kwargs={"org": "acme", "pk": invitation.pk}))

    assert listed == [invitation]
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert Invitation.objects.get(pk=elsewhere.pk).revoked_at is None


def test_a_steward_cannot_revoke_an_invitation_into_a_circle_they_no_longer_steward(client, world):
    from roles.services import steward_assign

    invitation, _ = invite(world, by=world.steve, circle=world.finance)
    steward_assign(circle=world.finance, member=world.member(world.mia), by=world.member(world.alice))
    make_circle(world.organisation, "Payroll", steward=world.member(world.steve))  # still a steward elsewhere
    client.force_login(world.steve)

    page = client.get(reverse("invitations", kwargs={"org": "acme"}))
    response = client.post(reverse("invitation_revoke", kwargs={"org": "acme", "pk": invitation.pk}))

    assert [i.may_revoke for i in page.context["invitations"]] == [False]
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_a_steward_sees_and_revokes_only_their_own_invitations(client, world):
    mine, _ = invite(world, by=world.steve, circle=world.finance, email="one@example.org")
    theirs, _ = invite(world, by=world.otto, circle=world.outreach, email="two@example.org")
    client.force_login(world.steve)

    listed = list(client.get(reverse("invitations", kwargs={"org": "acme"})).context["invitations"])
    foreign = client.post(reverse("invitation_revoke", kwargs={"org": "acme", "pk": theirs.pk}))
    own = client.post(reverse("invitation_revoke", kwargs={"org": "acme", "pk": mine.pk}), follow=True)

    assert listed == [mine]
    assert foreign.status_code == 404
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.revoked_at is None
    assert mine.revoked_at is not None
    assert "its link no longer works" in page_text(own)


def test_an_admin_sees_every_invitation_with_its_state(client, world):
    pending, _ = invite(world, by=world.steve, email="one@example.org")
    revoked, _ = invite(world, by=world.otto, email="two@example.org")
    invitation_revoke(invitation=revoked, by=world.member(world.alice))
    client.force_login(world.alice)

    response = client.get(reverse("invitations", kwargs={"org": "acme"}))

    assert set(response.context["invitations"]) == {pending, revoked}
    page = page_text(response)
    assert '<span class="badge pending">pending</span>' in page
    assert '<span class="badge revoked">revoked</span>' in page


def test_revoking_twice_explains_it_is_already_done(client, world):
    invitation, _ = invite(world)
    client.force_login(world.alice)
    url = reverse("invitation_revoke", kwargs={"org": "acme", "pk": invitation.pk})
    client.post(url)

    response = client.post(url, follow=True)

    assert "This invitation has already been revoked." in page_text(response)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at < timezone.now()
