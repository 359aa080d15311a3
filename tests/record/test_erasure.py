"""Erasing a member at their request: no trace of their name or email in pages, API, exports or the
event log, while the governance record stays whole and its tallies still recount."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse

from elections.services import ballot_cast, candidacy_add, election_open, elections_advance_due
from governance.errors import Conflict, Invalid
from governance.models import Event, Member
from meetings.services import attendance_record, minutes_publish, minutes_save_draft
from proposals.models import Position, Proposal
from proposals.queries import tally_recount
from proposals.services import comment_add, position_record, proposal_close
from record.export import organisation_export
from record.models import Erasure
from record.services import member_erase
from tests.factories import make_meeting, make_member, make_proposal, make_role

NAME, EMAIL = "Mia Member", "mia@acme.test"


@pytest.fixture
def erased(world, time_machine):
    steve, mia, alice = world.member(world.steve), world.member(world.mia), world.member(world.alice)
    proposal = make_proposal(world.finance, mia, title="Mia's proposal")
    position_record(proposal=proposal, member=mia, kind="consent")
    position_record(proposal=proposal, member=steve, kind="consent")
    comment_add(proposal=proposal, author=steve, body=f"Thanks {NAME}, write to {EMAIL}.")
    meeting = make_meeting(world.finance, by=steve, starts_in=-timedelta(hours=2))
    attendance_record(meeting=meeting, by=steve, member=mia, status="present")
    minutes_publish(minutes=minutes_save_draft(meeting=meeting, by=steve), by=steve)
    role = make_role(world.general, "Council", seats=1, term_months=12, selection="elected", election_method="ballot")
    election = election_open(role=role, by=alice)
    standing = candidacy_add(election=election, member=mia, statement="Me")
    time_machine.move_to(election.applications_close_at + timedelta(minutes=1))
    elections_advance_due()
    ballot_cast(election=election, member=steve, choices=[standing.pk])
    time_machine.move_to(election.voting_closes_at + timedelta(minutes=1))
    elections_advance_due()
    proposal_close(proposal_id=proposal.pk, now=proposal.closes_at + timedelta(days=30))
    proposal.refresh_from_db()
    tally = dict(proposal.tally)
    assert Event.objects.filter(object_repr__contains=NAME).exists()  # there is a trace to remove
    erasure = member_erase(member=world.member(world.mia), by=alice)
    return world, erasure, proposal, tally, meeting, election


def _pages(world, proposal, meeting, election, member):
    return [
        reverse("organisation", kwargs={"org": "acme"}),
        reverse("members", kwargs={"org": "acme"}) + "?status=all",
        reverse("member", kwargs={"org": "acme", "pk": member.pk}),
        reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk}),
        reverse("decision-log", kwargs={"org": "acme"}),
        reverse("meeting", kwargs={"org": "acme", "pk": meeting.pk}),
        reverse("election", kwargs={"org": "acme", "pk": election.pk}),
        reverse("circle", kwargs={"org": "acme", "circle": "finance"}),
        reverse("record-health", kwargs={"org": "acme"}),
        reverse("record-participation", kwargs={"org": "acme"}),
        reverse("record-election-history", kwargs={"org": "acme"}),
        reverse("record-election-history", kwargs={"org": "acme"}) + "?format=csv",
        reverse("record-search", kwargs={"org": "acme"}) + "?q=Mia",
        "/api/v1/members/",
        "/api/v1/events/?page_size=200",
        "/api/v1/proposals/",
        "/api/v1/elections/",
        f"/api/v1/health/?organisation={world.organisation.pk}",
        f"/api/v1/election-history/?organisation={world.organisation.pk}",
    ]


def test_no_trace_of_the_name_or_email_remains(erased, as_user):
    world, erasure, proposal, _tally, meeting, election = erased
    member = Member.objects.get(pk=erasure.member_id)
    client = as_user(world.alice)
    for url in _pages(world, proposal, meeting, election, member):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert NAME not in body and EMAIL not in body, url
    assert (
        erasure.pseudonym in client.get(reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk})).content.decode()
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(organisation_export(world.organisation))))
    everything = b"".join(archive.read(n) for n in archive.namelist()).decode()
    assert NAME not in everything and EMAIL not in everything
    for event in Event.objects.filter(organisation=world.organisation):
        assert NAME not in event.object_repr and NAME not in str(event.details), event.verb
        assert EMAIL not in str(event.details)


def test_the_record_stays_whole_and_tallies_recount(erased):
    _world, erasure, proposal, tally, _meeting, election = erased
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.tally == tally == tally_recount(proposal)
    assert proposal.author_id == erasure.member_id and proposal.outcome == "passed"
    assert Position.objects.filter(proposal=proposal, member_id=erasure.member_id).count() == 1
    election.refresh_from_db()
    assert election.results["elected"] == [erasure.member_id]
    assert election.results["counts"][0]["name"] == erasure.pseudonym
    member = Member.objects.select_related("user").get(pk=erasure.member_id)
    assert member.status == "left" and member.user.name == erasure.pseudonym
    assert member.user.email.endswith("@erased.invalid") and not member.user.has_usable_password()


def test_it_is_done_once_by_another_admin(world):
    alice = world.member(world.alice)
    with pytest.raises(Invalid):
        member_erase(member=alice, by=alice)
    erasure = member_erase(member=world.member(world.nora), by=alice)
    with pytest.raises(Conflict):
        member_erase(member=Member.objects.get(pk=erasure.member_id), by=alice)
    assert Erasure.objects.count() == 1


def test_an_account_in_two_organisations_is_left_to_a_site_admin(world):
    olga_here = make_member(world.organisation, user=world.olga)
    with pytest.raises(Conflict, match="another organisation"):
        member_erase(member=olga_here, by=world.member(world.alice))


def test_only_admins_erase_from_the_page(world, as_user):
    url = reverse("record-member-erase", kwargs={"org": "acme", "pk": world.member(world.nora).pk})
    assert as_user(world.mia).get(url).status_code == 403
    assert as_user(world.alice).post(url, {"confirm": "nope"}).status_code == 200
    response = as_user(world.alice).post(url, {"confirm": "ERASE"})
    assert response.status_code == 302 and Erasure.objects.count() == 1
