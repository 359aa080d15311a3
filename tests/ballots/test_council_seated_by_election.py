"""An election seats a council: the holders of an elected role make up a council circle's roster.
The winners of the ballot held ahead of the term join on the day the term starts, those whose term
ended leave with the reason, a re-elected holder's stay goes on unbroken, and the roster keeps the
history; all by the rotation sweep, safe to run twice or late (frozen time)."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from circles.models import CircleMembership
from circles.services import roster_add, roster_remove
from elections.councils import role_council_set
from elections.services import ballot_cast, candidacy_add, election_open, elections_advance_due
from governance.errors import Conflict, Invalid
from governance.models import Event
from roles.models import CouncilSeat
from roles.services import role_assign, roles_rotation_sweep
from tests.factories import make_circle, make_role

UTC = zoneinfo.ZoneInfo("UTC")
T0 = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)
TERM_STARTS = datetime(2027, 6, 15, 0, 0, tzinfo=UTC)


def on_council(circle) -> set[str]:
    return {m.member.user.name for m in CircleMembership.objects.current().filter(circle=circle)}


@pytest.fixture
def council(world, time_machine):
    """A Council circle seated by the two-seat "Council member" role of the general circle; Mia and
    Nora hold it until the new term starts on 15 June."""
    time_machine.move_to(T0)
    circle = make_circle(world.organisation, "Council")
    role = make_role(world.general, "Council member", seats=2, selection="elected", election_method="ballot")
    role = role_council_set(role=role, council=circle, by=world.member(world.alice))
    for user in (world.mia, world.nora):
        role_assign(role=role, member=world.member(user), by=None, planned_end_at=TERM_STARTS)
    return role


def test_the_holders_are_seated_by_the_sweep_once(world, council):
    roles_rotation_sweep()
    roles_rotation_sweep()

    assert on_council(council.council) == {"Mia Member", "Nora Nocircle"}
    assert CouncilSeat.objects.filter(unseated_at__isnull=True).count() == 2
    assert Event.objects.filter(verb="council.seated").count() == 2


def test_the_winners_take_their_seats_on_the_day_the_term_starts(world, council, time_machine):
    roles_rotation_sweep()
    election = election_open(role=council, by=world.member(world.alice), term_starts_at=TERM_STARTS)
    stood = {
        u: candidacy_add(election=election, member=world.member(u), statement="Me.").pk for u in (world.mia, world.otto)
    }
    time_machine.move_to(election.applications_close_at + timedelta(minutes=1))
    elections_advance_due()
    for user in (world.alice, world.steve, world.otto):
        ballot_cast(election=election, member=world.member(user), choices=[stood[world.mia], stood[world.otto]])
    time_machine.move_to(election.voting_closes_at + timedelta(minutes=1))
    roles_rotation_sweep()  # counts the ballot: Mia and Otto elected, from 15 June

    election.refresh_from_db()
    assert election.state == "closed" and len(election.results["elected"]) == 2
    assert on_council(council.council) == {"Mia Member", "Nora Nocircle"}  # the old term still runs

    time_machine.move_to(TERM_STARTS - timedelta(minutes=1))
    roles_rotation_sweep()
    assert on_council(council.council) == {"Mia Member", "Nora Nocircle"}

    time_machine.move_to(TERM_STARTS + timedelta(hours=3))  # a late tick catches up
    roles_rotation_sweep()
    roles_rotation_sweep()

    assert on_council(council.council) == {"Mia Member", "Otto Other-Steward"}
    nora = CircleMembership.objects.get(circle=council.council, member=world.member(world.nora))
    assert nora.left_at is not None and "elected term as Council member ended" in nora.removal_reason
    mia = CircleMembership.objects.filter(circle=council.council, member=world.member(world.mia))
    assert mia.count() == 1 and mia.get().left_at is None  # re-elected: one unbroken stay
    assert CouncilSeat.objects.filter(unseated_at__isnull=True).count() == 2
    assert Event.objects.filter(verb="council.unseated").count() == 2


def test_a_seat_brought_by_a_term_cannot_be_removed_by_hand(world, council):
    roles_rotation_sweep()
    membership = CircleMembership.objects.current().get(circle=council.council, member=world.member(world.nora))

    with pytest.raises(Conflict, match="elected to this circle as Council member"):
        roster_remove(membership=membership, by=world.member(world.alice), reason="Tidying up")


def test_someone_already_on_the_council_stays_after_their_term(world, council, time_machine):
    roster_add(circle=council.council, member=world.member(world.mia), by=None)
    roles_rotation_sweep()
    assert CouncilSeat.objects.get(membership__member=world.member(world.mia)).brought is False

    time_machine.move_to(TERM_STARTS + timedelta(minutes=1))
    roles_rotation_sweep()

    assert on_council(council.council) == {"Mia Member"}


def test_only_an_elected_role_of_the_organisation_seats_a_council_other_than_its_own_circle(world):
    appointed = make_role(world.finance, "Bookkeeper")
    elected = make_role(world.finance, "Auditor", selection="elected")

    with pytest.raises(Conflict, match="Only an elected role"):
        role_council_set(role=appointed, council=world.outreach, by=None)
    with pytest.raises(Invalid, match="the circle it belongs to"):
        role_council_set(role=elected, council=world.finance, by=None)
    with pytest.raises(Invalid, match="general circle"):
        role_council_set(role=elected, council=world.general, by=None)
    with pytest.raises(Invalid, match="this organisation"):
        role_council_set(role=elected, council=world.other.circles.get(is_general=True), by=None)


def test_the_steward_sets_the_council_on_the_page_and_over_the_api(world, client):
    role = make_role(world.general, "Council member", seats=2, selection="elected", election_method="ballot")
    election = election_open(role=role, by=world.member(world.alice))
    client.force_login(world.alice)
    page = reverse("election", kwargs={"org": "acme", "pk": election.pk})
    assert "Council seated by this role" in client.get(page).content.decode()
    client.post(reverse("election-council", kwargs={"org": "acme", "pk": election.pk}), {"council": world.outreach.pk})
    role.refresh_from_db()
    assert role.council == world.outreach

    mia, alice = APIClient(), APIClient()
    mia.force_authenticate(world.mia)
    alice.force_authenticate(world.alice)
    url = f"/api/v1/elections/{election.pk}/council/"
    assert mia.post(url, {"council": world.finance.pk}, format="json").status_code == 403
    answer = alice.post(url, {"council": None}, format="json")
    assert answer.status_code == 200 and answer.json()["council"] is None
    refused = alice.post(url, {"council": world.general.pk}, format="json")
    assert refused.status_code == 400 and "general circle" in refused.content.decode()
