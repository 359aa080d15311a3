"""Reads for election pages and the API: nominations, candidacies, turnout and what an election
publishes, with a constant number of queries whatever the number of nominations or ballots."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from elections.counting import TIE_BY_CANDIDACY_ORDER, TIE_BY_EARLIER_ROUNDS
from governance.models import Member
from governance.queries import object_for
from governance.rules import active_members
from roles.models import (
    Ballot,
    BallotVoter,
    Candidacy,
    Counting,
    Election,
    ElectionMethod,
    Nomination,
    NomineeAnswer,
)

# Fetch and check ---------------------------------------------------------------------------------


def get_election_for(user, pk, *, action: str = "elections.view_election", organisation_slug: str | None = None):
    """The election if the user may see it, else 404; 403 if they may see it but not do `action`."""
    return object_for(
        user,
        Election.objects.select_related(
            "organisation",
            "role__circle__organisation",
            "candidate__user",
            "proposal",
            "opened_by__user",
            "role__council",
        ),
        pk,
        view="elections.view_election",
        action=action,
        organisation_slug=organisation_slug,
        what=_("election"),
    )


# Nominations, candidacies, ballots --------------------------------------------------------------


def nominations(election: Election):
    return (
        Nomination.objects.filter(election=election)
        .select_related("nominee__user", "nominated_by__user")
        .order_by("nominee__user__name", "created_at")
    )


def nominees(election: Election) -> list[dict]:
    """Each nominee with the nominations they received (who, why) and their answer (True: accepts,
    False: declines, None: not yet), most nominated first."""
    answers = dict(NomineeAnswer.objects.filter(election=election).values_list("nominee_id", "accepted"))
    by_nominee: dict[int, dict] = {}
    for nomination in nominations(election):
        entry = by_nominee.setdefault(
            nomination.nominee_id,
            {"member": nomination.nominee, "nominations": [], "answer": answers.get(nomination.nominee_id)},
        )
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


# An election's state as a sentence names it ("the election is at “consent round”"): lower case
# in English, as each language writes it mid-sentence.
STATE_IN_SENTENCE = {
    Election.State.NOMINATING: pgettext_lazy("election state, mid-sentence", "nominations open"),
    Election.State.CONSENT: pgettext_lazy("election state, mid-sentence", "consent round"),
    Election.State.APPLYING: pgettext_lazy("election state, mid-sentence", "applications open"),
    Election.State.VOTING: pgettext_lazy("election state, mid-sentence", "voting"),
    Election.State.CLOSED: pgettext_lazy("election state, mid-sentence", "closed"),
    Election.State.CANCELLED: pgettext_lazy("election state, mid-sentence", "cancelled"),
}

# The results store these in English (the API publishes them as they are); pages show them translated.
TIE_RULES = {
    TIE_BY_EARLIER_ROUNDS: _("fewer votes in an earlier round"),
    TIE_BY_CANDIDACY_ORDER: _("candidacy filed last"),
}
NOBODY_STOOD = "Nobody stood."
NOBODY_MAY_VOTE = "Nobody may vote."
NOTES = {
    NOBODY_STOOD: _("Nobody stood."),
    NOBODY_MAY_VOTE: _("Nobody may vote."),
}


ROUND_OUTCOMES = {
    "passed": pgettext_lazy("consent round outcome, mid-sentence", "passed"),
    "rejected": pgettext_lazy("consent round outcome, mid-sentence", "rejected"),
    "no_quorum": pgettext_lazy("consent round outcome, mid-sentence", "no quorum"),
}


def earlier_rounds(election: Election) -> list[dict]:
    """A selection's consent rounds so far: each one's proposal and how it ended, as people read it."""
    return [
        {"proposal": r["proposal"], "outcome_label": str(ROUND_OUTCOMES.get(r["outcome"], r["outcome"] or ""))}
        for r in election.results.get("rounds", [])
    ]


def state_in_sentence(election: Election) -> str:
    return str(STATE_IN_SENTENCE.get(election.state, election.get_state_display()))


def shown_note(results: dict) -> str:
    """Why nobody was elected, in the reader's language (the results keep it in English)."""
    note = results.get("note") or ""
    return str(NOTES.get(note, note))


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


def show_value(value: str | int) -> str:
    """An exact count value ("7/3") as people read it: whole numbers as they are, fractions to two decimals."""
    number = Fraction(value)
    return str(number.numerator) if number.denominator == 1 else number_format(Decimal(f"{float(number):.2f}"), 2)


def count_rounds(results: dict) -> list[dict]:
    """A published ranked count, round by round, by name: each candidate's total and outcome, the
    transfers (from whom, to whom, how much; exhausted ballots as such) and any tie broken."""
    count = results.get("count") or {}
    names = {row["candidacy"]: row["name"] for row in results.get("counts", [])}
    exhausted_label = gettext("exhausted")
    rounds = []
    for r in count.get("rounds", []):
        elected, eliminated = set(r["elected"]), set(r["eliminated"])
        totals = sorted(r["totals"].items(), key=lambda item: (-Fraction(item[1]), int(item[0])))
        rounds.append(
            {
                "number": r["round"],
                "totals": [
                    {
                        "name": names.get(int(c), "?"),
                        "total": show_value(v),
                        "outcome": gettext("elected")
                        if int(c) in elected
                        else gettext("eliminated")
                        if int(c) in eliminated
                        else "",
                    }
                    for c, v in totals
                ],
                "elected": [names.get(c, "?") for c in r["elected"]],
                "eliminated": [names.get(c, "?") for c in r["eliminated"]],
                "transfers": [
                    {
                        "from": names.get(move["candidacy"], "?"),
                        "to": [
                            {
                                "name": exhausted_label if t["candidacy"] is None else names.get(t["candidacy"], "?"),
                                "value": show_value(t["value"]),
                            }
                            for t in move["to"]
                        ],
                    }
                    for move in r["transfers"]
                ],
                "exhausted": show_value(r["exhausted"]),
                "tie": {
                    "names": [names.get(c, "?") for c in r["tie"]["candidacies"]],
                    "rule": str(TIE_RULES.get(r["tie"]["rule"], r["tie"]["rule"])),
                }
                if r.get("tie")
                else None,
            }
        )
    return rounds


def why_decided(election: Election, results: dict) -> str:
    """One sentence saying what decided a closed election (empty before the close)."""
    if election.state != Election.State.CLOSED:
        return ""
    if election.method == ElectionMethod.SOCIOCRATIC:
        rounds = len(results.get("rounds", []))
        if not results.get("elected"):
            return gettext("Nobody was selected.")
        return ngettext(
            "Selected by consent: no standing objection, in the first consent round.",
            "Selected by consent: no standing objection, after %(rounds)d consent rounds.",
            rounds,
        ) % {"rounds": rounds}
    if results.get("note") or not results.get("counts"):
        return shown_note(results) or gettext("Nobody was elected.")
    counts = {row["member"]: row for row in results["counts"]}
    elected = [counts[m] for m in results.get("elected", []) if m in counts]
    if results.get("counting") == Counting.RANKED:
        count = results["count"]
        rounds = len(count["rounds"])
        if election.seats == 1 and elected:
            return ngettext(
                "Elected by instant-runoff with %(first)s of %(valid)s first preferences, in %(rounds)d round.",
                "Elected by instant-runoff with %(first)s of %(valid)s first preferences, after %(rounds)d rounds.",
                rounds,
            ) % {"first": elected[0]["weight"], "valid": count["valid_weight"], "rounds": rounds}
        return ngettext(
            "%(seated)d of %(seats)d seats filled by single transferable vote in %(rounds)d round, "
            "with a quota of %(quota)s of %(valid)s votes.",
            "%(seated)d of %(seats)d seats filled by single transferable vote after %(rounds)d rounds, "
            "with a quota of %(quota)s of %(valid)s votes.",
            rounds,
        ) % {
            "seated": len(elected),
            "seats": election.seats,
            "rounds": rounds,
            "quota": show_value(count["quota"]),
            "valid": count["valid_weight"],
        }
    if results.get("tie"):
        return gettext("A tie for the last seats: the circle decides how to fill them.")
    total = sum(row["weight"] for row in results["counts"])
    return ngettext(
        "Elected with the most votes: %(weights)s of %(total)d votes cast for the seat.",
        "Elected with the most votes: %(weights)s of %(total)d votes cast for the seats.",
        election.seats,
    ) % {"weights": ", ".join(str(row["weight"]) for row in elected), "total": total}
