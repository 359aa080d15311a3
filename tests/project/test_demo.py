"""The demo cooperative that `make run` loads: its shape, and that loading it again changes nothing."""

from django.apps import apps
from django.core.management import call_command
from django.db.models import F

from circles.models import Circle, CircleMembership
from governance.models import Event, Member, Organisation, User
from project.demo import CIRCLES, DEMO_PASSWORD, DEMO_SLUG, PEOPLE, demo_logins, load_demo
from proposals.models import Position, Proposal
from roles.models import Role, RoleAssignment

DEMO_APPS = {"governance", "circles", "roles", "proposals", "meetings"}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count() for model in apps.get_models() if model._meta.app_label in DEMO_APPS
    }


def test_it_changes_nothing_when_loaded_a_second_time(db):
    load_demo()
    first = row_counts()

    load_demo()

    assert row_counts() == first
    assert first["governance.Member"] == len(PEOPLE)


def test_it_has_a_general_circle_and_the_three_named_sub_circles(db):
    organisation = load_demo()

    general = Circle.objects.get(organisation=organisation, is_general=True)
    sub_circles = Circle.objects.filter(organisation=organisation, parent=general)
    assert sorted(c.name for c in sub_circles) == sorted(spec["name"] for spec in CIRCLES)
    assert sorted(c.name for c in sub_circles) == [
        "Organisational Operations",
        "Product Strategy and Services",
        "Technology Operations",
    ]


def test_it_gives_each_sub_circle_its_steward_and_at_least_four_members(db):
    organisation = load_demo()

    for spec in CIRCLES:
        circle = Circle.objects.get(organisation=organisation, name=spec["name"])
        steward = RoleAssignment.objects.current().get(role__circle=circle, role__kind=Role.Kind.STEWARD)
        assert steward.member.user.name == spec["steward"]
        roster = CircleMembership.objects.current().filter(circle=circle)
        assert roster.count() >= 4
        assert roster.filter(member=steward.member).exists()


def test_it_has_twelve_members_in_two_classes_of_different_weight(db):
    organisation = load_demo()

    members = Member.objects.filter(organisation=organisation, status=Member.Status.ACTIVE)
    assert members.count() == 12
    classes = {m.membership_class for m in members}
    assert len(classes) == 2
    assert len({c.voting_weight for c in classes}) == 2
    assert all(c.may_vote for c in classes)


def test_its_logins_work_with_the_printed_password(db):
    load_demo()

    for email, _ in demo_logins():
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email
    assert User.objects.get(email=demo_logins()[0][0]).is_superuser
    alice = Member.objects.get(organisation__slug=DEMO_SLUG, user__email=demo_logins()[1][0])
    assert alice.is_admin


def test_the_command_prints_the_logins(db, capsys):
    call_command("load_demo")

    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    for email, what in demo_logins():
        assert email in out and what in out
    assert Organisation.objects.filter(slug=DEMO_SLUG).count() == 1


def test_its_dates_agree_no_position_or_event_after_a_round_closed(db):
    organisation = load_demo()
    closed = Proposal.objects.filter(organisation=organisation, state="closed")
    assert closed.exists()
    assert not Position.objects.filter(proposal__in=closed, created_at__gt=F("proposal__closed_at")).exists()
    assert not Position.objects.filter(proposal__in=closed, created_at__lt=F("proposal__opened_at")).exists()
    for proposal in closed:
        recorded = Event.objects.filter(object_type="proposal", object_id=proposal.pk, verb="position.recorded")
        assert not recorded.filter(created_at__gt=proposal.closed_at).exists(), proposal.title


def test_two_members_read_the_demo_in_a_language_of_their_own(client, db):
    load_demo()

    farid = User.objects.get(email="farid@example.coop")
    ines = User.objects.get(email="ines@example.coop")
    assert (farid.language, ines.language) == ("fr", "es")
    client.force_login(farid)
    assert '<html lang="fr"' in client.get(f"/o/{DEMO_SLUG}/").content.decode()
    client.force_login(ines)
    assert '<html lang="es"' in client.get(f"/o/{DEMO_SLUG}/").content.decode()
    load_demo()  # loading again keeps a language someone changed since
    User.objects.filter(pk=farid.pk).update(language="de")
    load_demo()
    farid.refresh_from_db()
    assert farid.language == "de"
