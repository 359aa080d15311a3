"""The member directory, its filters and load flag, the member profile and the admin's actions on it."""

from html import unescape

from django.urls import reverse

from circles.models import CircleMembership
from circles.services import roster_add
from governance.models import Member
from governance.services import member_remove, membership_class_save
from roles.models import RoleAssignment


def directory(client, **params):
    response = client.get(reverse("members", kwargs={"org": "acme"}), params)
    assert response.status_code == 200
    return response, {member.user for member in response.context["page"].object_list}


def test_the_directory_lists_active_members_by_default(as_user, world):
    member_remove(member=world.member(world.nora), by=world.member(world.alice), reason="Moved away")

    _, people = directory(as_user(world.mia))

    assert people == {world.alice, world.steve, world.mia, world.otto}


def test_the_directory_shows_former_members_when_asked(as_user, world):
    member_remove(member=world.member(world.nora), by=world.member(world.alice), reason="Moved away")
    client = as_user(world.mia)

    _, former = directory(client, status="left")
    _, everyone = directory(client, status="all")

    assert former == {world.nora}
    assert everyone == {world.alice, world.steve, world.mia, world.otto, world.nora}


def test_the_directory_filters_by_circle(as_user, world):
    _, people = directory(as_user(world.mia), circle="finance")

    assert people == {world.steve, world.mia}


def test_the_directory_filters_by_membership_class(as_user, world):
    alice = world.member(world.alice)
    supporters = membership_class_save(
        organisation=world.organisation, by=alice, name="Supporters", voting_weight=0, may_vote=False
    )
    Member.objects.filter(user=world.nora, organisation=world.organisation).update(membership_class=supporters)

    _, people = directory(as_user(world.mia), membership_class=supporters.pk)

    assert people == {world.nora}


def test_the_directory_searches_names_and_emails(as_user, world):
    client = as_user(world.mia)

    _, by_name = directory(client, q="steward")
    _, by_email = directory(client, q="otto@acme")

    assert by_name == {world.steve, world.otto}
    assert by_email == {world.otto}


def test_the_directory_flags_a_member_above_the_load_guidance(as_user, world):
    world.organisation.load_max_circles = 1
    world.organisation.save(update_fields=["load_max_circles"])
    roster_add(circle=world.outreach, member=world.member(world.mia), by=None)

    response, _ = directory(as_user(world.nora))

    page = unescape(response.content.decode())
    assert "in 2 circles — above the guidance of 1" in page
    assert page.count("above the guidance of 1") == 1


def test_the_directory_ignores_a_filter_it_does_not_know(as_user, world):
    _, people = directory(as_user(world.mia), circle="no-such-circle")

    assert world.nora in people


def test_the_profile_shows_circles_roles_and_history(as_user, world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.steve)
    roster_add(circle=world.outreach, member=world.member(world.steve), by=world.member(world.otto))
    CircleMembership.objects.filter(circle=world.outreach, member__user=world.steve).update(
        left_at=membership.joined_at, removed_by=world.member(world.otto), removal_reason="Too busy"
    )

    response = as_user(world.mia).get(reverse("member", kwargs={"org": "acme", "pk": world.member(world.steve).pk}))

    assert [cm.circle for cm in response.context["member"].current_circle_memberships] == [world.finance]
    assert [(a.role.name, a.role.circle) for a in response.context["roles"]] == [("Steward", world.finance)]
    assert {stay.circle for stay in response.context["stays"]} == {world.finance, world.outreach}
    page = response.content.decode()
    assert "Too busy" in page
    assert "Manage membership" not in page


def test_a_member_of_another_organisation_is_not_found(as_user, world):
    olga_member = Member.objects.get(user=world.olga)

    response = as_user(world.alice).get(reverse("member", kwargs={"org": "acme", "pk": olga_member.pk}))

    assert response.status_code == 404


def test_changing_a_membership_asks_for_confirmation_first(as_user, world):
    alice = world.member(world.alice)
    supporters = membership_class_save(
        organisation=world.organisation, by=alice, name="Supporters", voting_weight=0, may_vote=False
    )
    mia = world.member(world.mia)
    url = reverse("member_update", kwargs={"org": "acme", "pk": mia.pk})
    client = as_user(world.alice)

    asked = client.post(url, {"membership_class": supporters.pk, "is_admin": "on"})
    mia.refresh_from_db()
    assert (mia.membership_class, mia.is_admin) != (supporters, True)
    page = unescape(asked.content.decode())
    assert "Membership class: Members → Supporters" in page
    assert "Becomes an organisation admin" in page

    client.post(url, {"membership_class": supporters.pk, "is_admin": "on", "confirmed": "yes"})
    mia.refresh_from_db()
    assert (mia.membership_class, mia.is_admin) == (supporters, True)


def test_it_refuses_to_demote_the_last_admin(as_user, world):
    alice = world.member(world.alice)
    url = reverse("member_update", kwargs={"org": "acme", "pk": alice.pk})

    response = as_user(world.alice).post(url, {"membership_class": alice.membership_class_id, "confirmed": "yes"})

    assert "This is the organisation's last admin; make someone else an admin first." in unescape(
        response.content.decode()
    )
    alice.refresh_from_db()
    assert alice.is_admin


def test_only_admins_change_a_membership(as_user, world):
    mia = world.member(world.mia)
    url = reverse("member_update", kwargs={"org": "acme", "pk": mia.pk})

    response = as_user(world.steve).post(url, {"membership_class": mia.membership_class_id, "is_admin": "on"})

    assert response.status_code == 403
    mia.refresh_from_db()
    assert not mia.is_admin


def test_removing_a_member_needs_a_reason_and_keeps_the_history(as_user, world):
    steve = world.member(world.steve)
    url = reverse("member_remove", kwargs={"org": "acme", "pk": steve.pk})
    client = as_user(world.alice)

    assert "Remove Steve Steward from Acme Co-op?" in unescape(client.get(url).content.decode())
    refused = client.post(url, {"reason": ""})
    assert "Say why the member leaves; it is kept in the history." in refused.content.decode()
    steve.refresh_from_db()
    assert steve.is_active

    client.post(url, {"reason": "Moved to another co-op"})

    steve.refresh_from_db()
    assert (steve.status, steve.left_reason) == (Member.Status.LEFT, "Moved to another co-op")
    assert not CircleMembership.objects.current().filter(member=steve).exists()
    assert not RoleAssignment.objects.current().filter(member=steve).exists()
    assert CircleMembership.objects.filter(member=steve).exists()


def test_a_member_who_left_no_longer_sees_the_organisation(client, world):
    member_remove(member=world.member(world.nora), by=world.member(world.alice), reason="Moved away")
    client.force_login(world.nora)

    response = client.get(reverse("organisation", kwargs={"org": "acme"}))

    assert response.status_code == 404
