"""Reads for election pages and the API: nominations, candidacies, turnout and what an election
publishes, with a constant number of queries whatever the number of nominations or ballots."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from governance.models import Member
from governance.queries import object_for
from governance.rules import active_members
from roles.models import Ballot, BallotVoter, Candidacy, Election, ElectionMethod, Nomination

# Fetch and check ---------------------------------------------------------------------------------


def get_election_for(user, pk, *, action: str = "elections.view_election", organisation_slug: str | None = None):
    """The election if the user may see it, else 404; 403 if they may see it but not do `action`."""
    return object_for(
        user,
        Election.objects.select_related(
            "organisation", "role__circle__organisation", "candidate__user", "proposal", "opened_by__user"
        ),
        pk,
        view="elections.view_election",
        action=action,
        organisation_slug=organisation_slug,
        what="election",
    )


# Nominations, candidacies, ballots --------------------------------------------------------------


def nominations(election: Election):
    return (
        Nomination.objects.filter(election=election)
        .select_related("nominee__user", "nominated_by__user")
        .order_by("nominee__user__name", "created_at")
    )


def nominees(election: Election) -> list[dict]:
    """Each nominee with the nominations they received (who, why), most nominated first."""
    by_nominee: dict[int, dict] = {}
    for nomination in nominations(election):
        entry = by_nominee.setdefault(nomination.nominee_id, {"member": nomination.nominee, "nominations": []})
        entry["nominations"].append(nomination)
    return sorted(by_nominee.values(), key=lambda e: (-len(e["nominations"]), e["member"].user.name))


def candidacies(election: Election):
    return (
        Candidacy.objects.filter(election=election, withdrawn_at__isnull=True)
        .select_related("member__user")
        .order_by("created_at", "id")
    )


def turnout(election: Election) -> dict:
    """How many have voted (never who chose what)."""
    row = BallotVoter.objects.filter(election=election).aggregate(
        voted=Count("id", filter=Q(has_voted=True)), eligible=Count("id")
    )
    return {"voted": row["voted"], "eligible": row["eligible"]}


def my_voter(election: Election, member: Member | None) -> BallotVoter | None:
    if member is None:
        return None
    return BallotVoter.objects.filter(election=election, member=member).first()


# Reads for the API -------------------------------------------------------------------------------


def elections_visible_to(user):
    members = active_members(user)
    member_ids = [m.pk for m in members.values()]
    return (
        Election.objects.filter(organisation_id__in=list(members))
        .select_related("role__circle", "candidate__user")
        .annotate(
            i_may_vote=Exists(BallotVoter.objects.filter(election=OuterRef("pk"), member_id__in=member_ids)),
            i_have_voted=Exists(
                BallotVoter.objects.filter(election=OuterRef("pk"), member_id__in=member_ids, has_voted=True)
            ),
            voted_count=Count("voters", filter=Q(voters__has_voted=True), distinct=True),
        )
        .order_by("-opened_at", "-pk")
    )


def nominations_visible_to(user):
    return (
        Nomination.objects.filter(election__organisation_id__in=list(active_members(user)))
        .select_related("nominee__user", "nominated_by__user", "election")
        .order_by("-created_at", "-pk")
    )


def candidacies_visible_to(user):
    return (
        Candidacy.objects.filter(election__organisation_id__in=list(active_members(user)))
        .select_related("member__user", "election")
        .order_by("-created_at", "-pk")
    )


def ballots_visible_to(user):
    """Anonymous ballots of the user's organisations, as published (only after the close)."""
    return published_ballots(Ballot.objects.filter(election__organisation_id__in=list(active_members(user))))


# What an election publishes ----------------------------------------------------------------------
#
# Who voted is public (the turnout, the event log's election.voted, "who has not voted yet"); so the
# page, the API, the CSV and the admin publish nothing that could be joined with it: a ballot has no
# id, no time and no place in the order of casting, and weights appear beside votes only where they
# single out nobody (elections.services.weights_single_out_nobody, decided at the count).


def published_results(election: Election) -> dict:
    """An election's result as published: nothing before the close; then who was elected, any tie,
    and the count, where each candidate's number of votes is left out when a weight held by one
    voter alone would let it, with the weighted totals, show how that voter voted."""
    if election.state != Election.State.CLOSED:
        return {}
    results = dict(election.results)
    if election.method != ElectionMethod.BALLOT:
        return results
    results["ballots_published"] = bool(results.get("ballots_published"))
    if not results["ballots_published"] and results.get("counts"):
        results["counts"] = [{k: v for k, v in row.items() if k != "votes"} for row in results["counts"]]
    return results


def published_ballots(ballots=None):
    """The anonymous ballots as published: only of closed elections whose weights single out nobody,
    each to be shown with its choices and weight and nothing else (the id is random but still left
    out), ordered by what was chosen, never in the order the ballots were cast."""
    ballots = Ballot.objects.all() if ballots is None else ballots
    return ballots.filter(election__state=Election.State.CLOSED, election__results__ballots_published=True).order_by(
        "election_id", "choices", "weight", "id"
    )
