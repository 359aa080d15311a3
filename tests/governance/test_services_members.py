"""member_add, member_update and member_remove: joining, changing and leaving an organisation."""

import pytest

from circles.models import CircleMembership
from circles.services import circle_archive, roster_add
from governance import services
from governance.errors import Conflict, Invalid
from governance.models import Event, Member, MembershipClass
from roles.models import RoleAssignment
from tests.factories import UserFactory, make_circle


@pytest.fixture
def workers(world):
    return MembershipClass.objects.create(organisation=world.organisation, name="Workers", voting_weight=2)


def test_it_adds_a_member_in_a_class_and_logs_the_joining(world):
    newcomer = UserFactory(email="nia@acme.test")
    members_class = world.organisation.membership_classes.get()

    member = services.member_add(
        organisation=world.organisation, user=newcomer, membership_class=members_class, by=world.member(world.alice)
    )

    assert member.is_active and not member.is_admin and member.membership_class == members_class
    event = Event.objects.get(verb="member.joined", object_id=member.pk)
    assert event.actor == world.member(world.alice)
    assert event.details == {"member": str(newcomer), "membership_class": "Members"}


def test_it_refuses_to_add_someone_who_is_already_a_member(world):
    with pytest.raises(Conflict, match="already a member"):
        services.member_add(
            organisation=world.organisation, user=world.mia, membership_class=world.member(world.mia).membership_class
        )


def test_it_refuses_a_membership_class_of_another_organisation(world):
    with pytest.raises(Invalid, match="another organisation"):
        services.member_add(
            organisation=world.organisation,
            user=world.oscar,
            membership_class=world.other.membership_classes.get(),
        )


def test_it_welcomes_back_a_member_who_had_left_on_the_same_row(world, workers):
    nora = world.member(world.nora)
    services.member_remove(member=nora, by=None, reason="Moved away")

    again = services.member_add(organisation=world.organisation, user=world.nora, membership_class=workers)

    assert again.pk == nora.pk
    assert again.is_active and again.left_at is None and again.left_reason == ""
    assert again.membership_class == workers
    assert Event.objects.filter(verb="member.rejoined", object_id=nora.pk).exists()


def test_it_changes_a_members_class_and_logs_before_and_after(world, workers):
    mia = world.member(world.mia)

    services.member_update(member=mia, by=world.member(world.alice), membership_class=workers)

    mia.refresh_from_db()
    assert mia.membership_class == workers
    assert Event.objects.get(verb="member.updated").details == {
        "member": "Mia Member",
        "changes": {"membership_class": ["Members", "Workers"]},
    }


def test_it_makes_a_member_an_admin(world):
    services.member_update(member=world.member(world.mia), by=None, is_admin=True)

    assert world.member(world.mia).is_admin


def test_it_refuses_to_take_admin_rights_from_the_last_admin(world):
    with pytest.raises(Conflict, match="last admin"):
        services.member_update(member=world.member(world.alice), by=None, is_admin=False)

    assert world.member(world.alice).is_admin


def test_it_lets_an_admin_step_down_once_there_is_another(world):
    services.member_update(member=world.member(world.mia), by=None, is_admin=True)

    services.member_update(member=world.member(world.alice), by=None, is_admin=False)

    assert not world.member(world.alice).is_admin


def test_it_ends_circle_memberships_and_roles_when_a_member_leaves(world):
    steve = world.member(world.steve)

    services.member_remove(member=steve, by=world.member(world.alice), reason="Retired")

    steve.refresh_from_db()
    assert steve.status == Member.Status.LEFT and steve.left_reason == "Retired" and steve.left_at is not None
    stays = CircleMembership.objects.filter(member=steve)
    assert stays.exists() and not stays.filter(left_at__isnull=True).exists()
    assert stays.get(circle=world.finance).removal_reason == "Left the organisation: Retired"
    roles = RoleAssignment.objects.filter(member=steve)
    assert roles.exists() and all(a.end_reason == RoleAssignment.EndReason.LEFT for a in roles)
    assert Event.objects.get(verb="member.left").details == {"member": "Steve Steward", "reason": "Retired"}


def test_a_departure_records_the_end_of_each_roster_stay_and_each_role_term(world):
    steve, alice = world.member(world.steve), world.member(world.alice)
    stays = list(CircleMembership.objects.current().filter(member=steve))
    terms = list(RoleAssignment.objects.open().filter(member=steve))

    services.member_remove(member=steve, by=alice, reason="Retired")

    removed = Event.objects.filter(verb="roster.removed", actor=alice)
    assert sorted(removed.values_list("object_id", flat=True)) == sorted(m.pk for m in stays)
    assert all(e.details == {"member": "Steve Steward", "reason": "Left the organisation: Retired"} for e in removed)
    ended = Event.objects.filter(verb="role.ended", actor=alice)
    assert sorted(ended.values_list("object_id", flat=True)) == sorted(a.pk for a in terms)
    assert all(e.details["member"] == "Steve Steward" and e.details["reason"] == "left" for e in ended)
    assert Event.objects.filter(verb="member.left", object_id=steve.pk).count() == 1


def test_a_member_leaves_the_roster_of_an_archived_circle_too(world):
    mia = world.member(world.mia)
    archive = make_circle(world.organisation, "Archive")
    roster_add(circle=archive, member=mia, by=None)
    circle_archive(circle=archive, by=None)

    services.member_remove(member=mia, by=None, reason="Moved away")

    stay = CircleMembership.objects.get(circle=archive, member=mia)
    assert stay.left_at is not None and stay.removal_reason == "Left the organisation: Moved away"


def test_a_stay_a_role_brought_ends_as_leaving_like_the_others(world):
    budget = make_circle(world.organisation, "Budget", parent=world.finance, steward=world.member(world.nora))
    nora = world.member(world.nora)
    linked = CircleMembership.objects.current().get(circle=world.finance, member=nora)

    services.member_remove(member=nora, by=world.member(world.alice), reason="Moved away")

    linked.refresh_from_db()
    assert linked.left_at is not None and linked.removal_reason == "Left the organisation: Moved away"
    assert not RoleAssignment.objects.open().filter(member=nora, role__circle=budget).exists()
    assert Event.objects.filter(verb="roster.removed", object_id=linked.pk).count() == 1


def test_it_refuses_a_departure_without_a_reason(world):
    with pytest.raises(Invalid, match="Say why"):
        services.member_remove(member=world.member(world.nora), by=None, reason="")


def test_it_refuses_to_let_the_last_admin_leave(world):
    with pytest.raises(Conflict, match="last admin"):
        services.member_remove(member=world.member(world.alice), by=None, reason="Done")


def test_it_refuses_to_remove_a_member_twice(world):
    nora = world.member(world.nora)
    services.member_remove(member=nora, by=None, reason="Moved away")

    with pytest.raises(Conflict, match="already left"):
        services.member_remove(member=nora, by=None, reason="Again")


def test_it_creates_an_account_and_refuses_a_second_one_for_the_same_email(db):
    services.user_create(email="pat@coop.test", password="a-long-passphrase", name="Pat")

    with pytest.raises(Conflict, match="already an account"):
        services.user_create(email="pat@coop.test", password="another-passphrase")
