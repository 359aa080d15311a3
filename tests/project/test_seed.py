"""The benchmark seeder writes consistent data: tallies equal recounts, closed rounds have outcomes."""

from django.core.management import call_command

from circles.models import Circle
from governance.models import Member
from project.seed import Size, seed_cooperative
from proposals.models import Comment, EligibleVoter, Position, Proposal
from proposals.queries import tally_recount
from proposals.services import outcome_of

SMALL = Size(
    members=60,
    circles=6,
    roles=24,
    proposals=40,
    open_proposals=5,
    positions=900,
    big_proposal_positions=300,
    comments=50,
)


def test_it_seeds_the_requested_sizes(db):
    organisation = seed_cooperative(slug="tiny", size=SMALL)
    assert Member.objects.filter(organisation=organisation).count() == 60
    assert Circle.objects.filter(organisation=organisation).count() == 6
    assert Proposal.objects.filter(organisation=organisation, state="open").count() == 5
    assert Comment.objects.filter(proposal__organisation=organisation).count() == 50
    big = Proposal.objects.filter(organisation=organisation).order_by("pk").first()
    assert Position.objects.filter(proposal=big).count() == 300


def test_its_tallies_equal_recounts_and_closed_rounds_have_their_outcome(db):
    organisation = seed_cooperative(slug="tiny", size=SMALL)
    for proposal in Proposal.objects.filter(organisation=organisation):
        assert proposal.tally == tally_recount(proposal)
        if proposal.state == "closed":
            assert proposal.outcome == outcome_of(proposal)
    stray = Position.objects.filter(is_current=True).exclude(member_id__in=EligibleVoter.objects.values("member_id"))
    assert not stray.exists()


def test_the_command_scales_every_size(db, capsys):
    call_command("seed_cooperative", "--slug", "tenth", "--scale", "0.01")
    assert Member.objects.filter(organisation__slug="tenth").count() == 20
    assert "Seeded tenth" in capsys.readouterr().out
