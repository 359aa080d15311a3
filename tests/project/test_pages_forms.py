"""Forms show the service's refusal next to the field it concerns and keep what was typed."""

from html import unescape

from django.urls import reverse

from circles.models import Circle, CircleMembership
from governance.models import MembershipClass, Organisation


def test_it_keeps_the_typed_settings_when_the_circle_sizes_do_not_fit(as_user, world):
    data = {
        "name": "Acme Renamed",
        "description": "We make things.",
        "time_zone": "Europe/Berlin",
        "circle_size_min": 9,
        "circle_size_max": 4,
        "load_max_circles": 3,
        "consent_round_days": 7,
    }

    response = as_user(world.alice).post(reverse("organisation_settings", kwargs={"org": "acme"}), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The smallest circle size must be at least 1 and not above the largest." in page
    assert 'value="Acme Renamed"' in page
    assert "We make things." in page
    assert response.context["form"].errors["circle_size_min"]
    assert Organisation.objects.get(pk=world.organisation.pk).name == "Acme Co-op"


def test_it_saves_the_settings_and_says_so(as_user, world):
    data = {
        "name": "Acme Co-op",
        "description": "",
        "time_zone": "UTC",
        "circle_size_min": 2,
        "circle_size_max": 10,
        "load_max_circles": 2,
        "consent_round_days": 10,
    }

    response = as_user(world.alice).post(reverse("organisation_settings", kwargs={"org": "acme"}), data, follow=True)

    assert "Settings saved." in response.content.decode()
    organisation = Organisation.objects.get(pk=world.organisation.pk)
    assert (organisation.circle_size_max, organisation.consent_round_days) == (10, 10)
    assert organisation.events.filter(verb="organisation.updated").exists()


def test_it_refuses_a_membership_class_with_a_name_already_taken(as_user, world):
    url = reverse("membership_class_add", kwargs={"org": "acme"})
    data = {"name": "members", "voting_weight": 3, "may_vote": "on", "description": "Typed description"}

    response = as_user(world.alice).post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is already a membership class called “members”." in page
    assert 'value="Typed description"' in page
    assert MembershipClass.objects.filter(organisation=world.organisation).count() == 1


def test_it_adds_and_edits_a_membership_class(as_user, world):
    client = as_user(world.alice)
    client.post(
        reverse("membership_class_add", kwargs={"org": "acme"}),
        {"name": "Supporters", "voting_weight": 0, "description": "Friends of the co-op"},
    )
    supporters = MembershipClass.objects.get(organisation=world.organisation, name="Supporters")
    assert (supporters.voting_weight, supporters.may_vote) == (0, False)

    url = reverse("membership_class_edit", kwargs={"org": "acme", "pk": supporters.pk})
    response = client.post(url, {"name": "Supporters", "voting_weight": 1, "may_vote": "on"}, follow=True)

    supporters.refresh_from_db()
    assert (supporters.voting_weight, supporters.may_vote) == (1, True)
    assert "Membership class “Supporters” saved." in response.content.decode()


def test_it_refuses_a_new_circle_without_a_parent_and_keeps_its_name(as_user, world):
    url = reverse("circle_new", kwargs={"org": "acme"})
    data = {"name": "Kitchen", "parent": "", "purpose": "Feed *everyone*", "domains": "", "accountabilities": ""}

    response = as_user(world.alice).post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the parent circle" in page
    assert 'value="Kitchen"' in page
    assert "Feed *everyone*" in page
    assert not Circle.objects.filter(name="Kitchen").exists()


def test_it_creates_a_circle_under_the_chosen_parent(as_user, world):
    url = reverse("circle_new", kwargs={"org": "acme"})
    data = {"name": "Payroll", "parent": world.finance.pk, "purpose": "Pay people on time.", "domains": ""}

    response = as_user(world.alice).post(url, data, follow=True)

    payroll = Circle.objects.get(organisation=world.organisation, name="Payroll")
    assert payroll.parent == world.finance
    assert response.redirect_chain[-1][0] == reverse("circle", kwargs={"org": "acme", "circle": payroll.slug})
    assert "The circle “Payroll” is created." in response.content.decode()


def test_the_new_circle_form_offers_the_parent_from_the_link(as_user, world):
    response = as_user(world.alice).get(reverse("circle_new", kwargs={"org": "acme"}) + "?parent=finance")

    assert response.context["form"]["parent"].value() == str(world.finance.pk)


def test_it_moves_a_circle_by_changing_its_parent(as_user, world):
    url = reverse("circle_edit", kwargs={"org": "acme", "circle": "finance"})
    data = {"name": "Finance", "parent": world.outreach.pk, "purpose": "", "domains": "", "accountabilities": ""}

    as_user(world.alice).post(url, data)

    world.finance.refresh_from_db()
    assert world.finance.parent == world.outreach
    assert world.organisation.events.filter(verb="circle.moved", object_id=world.finance.pk).exists()


def test_it_does_not_offer_or_accept_a_circle_inside_its_own_sub_circle(as_user, world):
    payroll = Circle.objects.create(
        organisation=world.organisation, parent=world.finance, name="Payroll", slug="payroll"
    )
    client = as_user(world.alice)
    url = reverse("circle_edit", kwargs={"org": "acme", "circle": "finance"})

    offered = dict(client.get(url).context["form"].fields["parent"].choices)
    response = client.post(url, {"name": "Finance", "parent": payroll.pk})

    assert str(payroll.pk) not in offered and str(world.finance.pk) not in offered
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    world.finance.refresh_from_db()
    assert world.finance.parent == world.general


def test_the_general_circle_form_has_no_parent(as_user, world):
    url = reverse("circle_edit", kwargs={"org": "acme", "circle": world.general.slug})
    client = as_user(world.alice)

    assert "parent" not in client.get(url).context["form"].fields
    client.post(url, {"name": "All of us", "purpose": "Everyone."})

    world.general.refresh_from_db()
    assert (world.general.name, world.general.parent) == ("All of us", None)


def test_it_refuses_to_archive_a_circle_that_still_has_sub_circles(as_user, world):
    Circle.objects.create(organisation=world.organisation, parent=world.finance, name="Payroll", slug="payroll")
    url = reverse("circle_archive", kwargs={"org": "acme", "circle": "finance"})

    response = as_user(world.alice).post(url, {"reason": "Merged"})

    assert response.status_code == 200
    assert "Archive or move this circle's sub-circles first." in unescape(response.content.decode())
    world.finance.refresh_from_db()
    assert world.finance.archived_at is None


def test_it_asks_before_archiving_then_archives_and_restores(as_user, world):
    client = as_user(world.alice)
    url = reverse("circle_archive", kwargs={"org": "acme", "circle": "outreach"})

    confirmation = client.get(url)
    assert "Archive Outreach?" in confirmation.content.decode()
    world.outreach.refresh_from_db()
    assert world.outreach.archived_at is None

    client.post(url, {"reason": "Work moved to Finance"})
    world.outreach.refresh_from_db()
    assert world.outreach.archived_at is not None
    assert world.organisation.events.get(verb="circle.archived").details == {"reason": "Work moved to Finance"}

    client.post(reverse("circle_restore", kwargs={"org": "acme", "circle": "outreach"}))
    world.outreach.refresh_from_db()
    assert world.outreach.archived_at is None


def test_an_admin_sees_archived_circles_only_when_asked(as_user, world):
    client = as_user(world.alice)
    client.post(reverse("circle_archive", kwargs={"org": "acme", "circle": "outreach"}), {"reason": ""})
    url = reverse("organisation", kwargs={"org": "acme"})

    default = [node.circle.name for node in client.get(url).context["nodes"]]
    with_archived = [node.circle.name for node in client.get(url + "?archived=1").context["nodes"]]

    assert "Outreach" not in default
    assert "Outreach" in with_archived


def test_it_refuses_to_remove_someone_from_a_roster_without_a_reason(as_user, world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)
    url = reverse("roster_remove", kwargs={"org": "acme", "circle": "finance", "pk": membership.pk})

    response = as_user(world.steve).post(url, {"reason": "  "})

    assert response.status_code == 200
    assert "Say why this member leaves the circle; it is kept in the history." in response.content.decode()
    membership.refresh_from_db()
    assert membership.left_at is None


def test_it_refuses_an_overlong_reason_and_keeps_it_for_shortening(as_user, world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)
    url = reverse("roster_remove", kwargs={"org": "acme", "circle": "finance", "pk": membership.pk})

    response = as_user(world.steve).post(url, {"reason": "x" * 301})

    assert "Keep the reason to 300 characters (301 now)." in response.content.decode()
    assert 'value="' + "x" * 301 + '"' in response.content.decode()
    membership.refresh_from_db()
    assert membership.left_at is None


def test_it_explains_that_the_steward_cannot_leave_the_roster(as_user, world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.steve)
    url = reverse("roster_remove", kwargs={"org": "acme", "circle": "finance", "pk": membership.pk})

    response = as_user(world.alice).post(url, {"reason": "Stepping back"})

    assert "is this circle's steward; assign another steward first." in unescape(response.content.decode())
    membership.refresh_from_db()
    assert membership.left_at is None


def test_the_roster_history_shows_who_left_when_by_whom_and_why(as_user, world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)
    client = as_user(world.steve)
    client.post(
        reverse("roster_remove", kwargs={"org": "acme", "circle": "finance", "pk": membership.pk}),
        {"reason": "Joined Outreach instead"},
    )

    response = client.get(reverse("roster", kwargs={"org": "acme", "circle": "finance"}))

    history = list(response.context["history"])
    assert [(h.member.user, h.removed_by.user, h.removal_reason) for h in history] == [
        (world.mia, world.steve, "Joined Outreach instead")
    ]
    assert "Joined Outreach instead" in response.content.decode()


def test_the_add_form_lists_only_members_not_on_the_roster(as_user, world):
    response = as_user(world.steve).get(reverse("roster", kwargs={"org": "acme", "circle": "finance"}))

    offered = {member.user for member in response.context["add_form"].fields["member"].queryset}
    assert offered == {world.alice, world.otto, world.nora}


def test_an_admin_assigns_a_new_steward_who_replaces_the_old_one(as_user, world):
    from roles.models import RoleAssignment

    url = reverse("steward_assign", kwargs={"org": "acme", "circle": "finance"})

    response = as_user(world.alice).post(url, {"member": world.member(world.mia).pk}, follow=True)

    current = RoleAssignment.objects.current().filter(role__circle=world.finance, role__kind="steward")
    assert [a.member.user for a in current] == [world.mia]
    assert "Mia Member is now the steward of Finance." in response.content.decode()


def test_it_explains_that_someone_already_is_the_steward(as_user, world):
    url = reverse("steward_assign", kwargs={"org": "acme", "circle": "finance"})

    response = as_user(world.alice).post(url, {"member": world.member(world.steve).pk})

    assert response.status_code == 200
    assert "Steve Steward is already the steward of Finance." in response.content.decode()
