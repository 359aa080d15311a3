"""The elections' rules (elections/rules.py), asked directly: every persona of
tests/conftest.py, a visitor who has not logged in, and Fay, on the Finance roster (and, where the state
says so, its facilitator) × elections of Finance roles through their phases: a sociocratic selection
nominating, in its consent round (before and after the round's deadline) or cancelled; a ballot taking
applications, voting (before and after its deadline, and once Nora joined Finance after voting opened)
and closed; an election in the general circle; and one in Olga's organisation.

These rules say who; the phase is the services' to refuse with a 409, except on what the page offers
(`elections.offer_cancel`) and for voting, which is for the voters while a ballot is voting."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import rules
import time_machine
from django.utils import timezone

from circles.services import roster_add
from elections.services import (
    candidacy_add,
    election_advance,
    election_cancel,
    election_open,
    election_propose,
    nomination_add,
    nomination_answer,
)
from roles.models import Role
from tests.factories import UserFactory, fresh, grid, make_facilitator, make_member, make_role

PERSONAS = ("anonymous", "oscar", "olga", "nora", "mia", "steve", "otto", "alice", "fay")
Y, N = True, False
DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def cast(module_world):
    world = module_world
    now = timezone.now()
    alice, steve, mia = (world.member(u) for u in (world.alice, world.steve, world.mia))
    fay = make_member(world.organisation, user=UserFactory(email="fay@acme.test", name="Fay"), circles=[world.finance])

    def role(name, method, circle=world.finance):
        return make_role(circle, name, selection="elected", election_method=method)

    def selection(name, *, circle=world.finance, by=alice, propose=False):
        election = election_open(role=role(name, "sociocratic", circle), by=by)
        if propose:
            nomination_add(election=election, nominee=mia, by=steve, reason="She keeps the books.")
            nomination_answer(election=election, nominee=mia, accepted=True)
            election = election_propose(election=election, candidate=mia, by=steve, round_days=7)
        return election

    def ballot(name, *, opened, to=()):
        """A ballot opened `opened` ago, taking applications for two days and voting for a week, with
        Mia standing; `to` moves it on at the moments given (to voting, then to the count)."""
        with time_machine.travel(now - opened, tick=False):
            election = election_open(
                role=role(name, "ballot"),
                by=alice,
                applications_close_at=now - opened + 2 * DAY,
                voting_closes_at=now - opened + 9 * DAY,
            )
            candidacy_add(election=election, member=mia, statement="I keep the books.")
        for moment in to:
            with time_machine.travel(moment, tick=False):
                assert election_advance(election_id=election.pk)
        return election

    with time_machine.travel(now - 10 * DAY, tick=False):
        late_consent = selection("Coordinator", propose=True)
    cancelled = selection("Archivist")
    election_cancel(election=cancelled, by=alice, reason="Nobody needs it after all.")
    voting = ballot("Auditor", opened=5 * DAY, to=[now])
    elections = {
        "nominating": selection("Clerk"),
        "consent": selection("Bookkeeper", propose=True),
        "consent-past-its-deadline": late_consent,
        "cancelled": cancelled,
        "applying": ballot("Controller", opened=DAY),
        "voting": voting,
        "voting-past-its-deadline": ballot("Cashier", opened=10 * DAY, to=[now - 5 * DAY]),
        "closed": ballot("Paymaster", opened=10 * DAY, to=[now - 5 * DAY, now]),
        "nominating-in-general": selection("Convenor", circle=world.general),
        "other-nominating": selection(
            "Clerk", circle=world.other.circles.get(is_general=True), by=world.other.members.get(user=world.olga)
        ),
    }
    elections["voting-after-nora-joined-finance"] = voting
    elections["nominating-with-fay-facilitating"] = elections["nominating"]
    roles_ = {
        "finance-fundraiser": role("Fundraiser", "ballot"),
        "finance-steward-role": Role.objects.get(circle=world.finance, kind=Role.Kind.STEWARD),
        "outreach-facilitator-role": Role.objects.get(circle=world.outreach, kind=Role.Kind.FACILITATOR),
        "other-steward-role": Role.objects.get(circle__organisation=world.other, kind=Role.Kind.STEWARD),
    }
    roles_["finance-fundraiser-with-fay-facilitating"] = roles_["finance-fundraiser"]
    people = {name: getattr(world, name) for name in PERSONAS if hasattr(world, name)}
    people.update(anonymous=None, fay=fay.user)
    return SimpleNamespace(world=world, people=people, elections=elections, roles=roles_, fay=fay)


def arrange(cast, state):
    """What a state adds to the shared objects, inside the case (its savepoint undoes it)."""
    if state.endswith("-with-fay-facilitating"):
        make_facilitator(fresh(cast.world.finance), fresh(cast.fay))
    if state == "voting-after-nora-joined-finance":
        roster_add(circle=fresh(cast.world.finance), member=cast.world.member(cast.world.nora), by=None)


def election_in(cast, state):
    arrange(cast, state)
    return fresh(cast.elections[state])


def role_in(cast, state):
    arrange(cast, state)
    return fresh(cast.roles[state])


def ask(cast, rule, persona, obj) -> bool:
    return rules.test_rule(rule, fresh(cast.people[persona]), obj)


# fmt: off
# The object is a Role. Fay facilitates Finance only where the state says so.
START_ELECTION = {
    #                                            anon oscar olga nora mia steve otto alice fay
    "finance-fundraiser":                       (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "finance-fundraiser-with-fay-facilitating": (N,   N,    N,   N,   N,  Y,    N,   Y,    Y),
    "finance-steward-role":                     (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "outreach-facilitator-role":                (N,   N,    N,   N,   N,  N,    Y,   Y,    N),
    "other-steward-role":                       (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
VIEW_ELECTION = {
    #                                            anon oscar olga nora mia steve otto alice fay
    "nominating":                               (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "voting":                                   (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "closed":                                   (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "cancelled":                                (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "other-nominating":                         (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
# Nominating (sociocratic) and standing (ballot) are for the circle's roster as it is now, whatever the
# phase: admins who are not on it take no part.
NOMINATE_OR_STAND = {
    #                                            anon oscar olga nora mia steve otto alice fay
    "nominating":                               (N,   N,    N,   N,   Y,  Y,    N,   N,    Y),
    "consent":                                  (N,   N,    N,   N,   Y,  Y,    N,   N,    Y),
    "applying":                                 (N,   N,    N,   N,   Y,  Y,    N,   N,    Y),
    "voting":                                   (N,   N,    N,   N,   Y,  Y,    N,   N,    Y),
    "voting-after-nora-joined-finance":         (N,   N,    N,   Y,   Y,  Y,    N,   N,    Y),
    "closed":                                   (N,   N,    N,   N,   Y,  Y,    N,   N,    Y),
    "cancelled":                                (N,   N,    N,   N,   Y,  Y,    N,   N,    Y),
    "nominating-in-general":                    (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "other-nominating":                         (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
# The facilitator of the role's circle proposes the candidate; without one, its steward; admins always.
PROPOSE_CANDIDATE = {
    #                                            anon oscar olga nora mia steve otto alice fay
    "nominating":                               (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "nominating-with-fay-facilitating":         (N,   N,    N,   N,   N,  N,    N,   Y,    Y),
    "nominating-in-general":                    (N,   N,    N,   N,   N,  N,    N,   Y,    N),
    "other-nominating":                         (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
# While a ballot is voting, its voters (Finance's roster when voting opened: Steve, Mia and Fay) vote;
# in any other phase every member gets through, for the service to answer that voting is not open.
VOTE = {
    #                                            anon oscar olga nora mia steve otto alice fay
    "nominating":                               (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "applying":                                 (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "voting":                                   (N,   N,    N,   N,   Y,  Y,    N,   N,    Y),
    "voting-after-nora-joined-finance":         (N,   N,    N,   N,   Y,  Y,    N,   N,    Y),
    "voting-past-its-deadline":                 (N,   N,    N,   N,   Y,  Y,    N,   N,    Y),
    "closed":                                   (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "other-nominating":                         (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
# Cancelling is the admins' and the circle's steward's, in any phase (the service refuses a late one).
CANCEL_ELECTION = {
    #                                            anon oscar olga nora mia steve otto alice fay
    "nominating":                               (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "nominating-with-fay-facilitating":         (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "voting":                                   (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "voting-past-its-deadline":                 (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "closed":                                   (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "cancelled":                                (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "nominating-in-general":                    (N,   N,    N,   N,   N,  N,    N,   Y,    N),
    "other-nominating":                         (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
# The page offers it only until the decision's deadline: the close of voting, or of the consent round.
OFFER_CANCEL = {
    #                                            anon oscar olga nora mia steve otto alice fay
    "nominating":                               (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "consent":                                  (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "consent-past-its-deadline":                (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "applying":                                 (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "voting":                                   (N,   N,    N,   N,   N,  Y,    N,   Y,    N),
    "voting-past-its-deadline":                 (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "closed":                                   (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "cancelled":                                (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "nominating-in-general":                    (N,   N,    N,   N,   N,  N,    N,   Y,    N),
    "other-nominating":                         (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
# fmt: on


def test_each_election_is_in_the_phase_the_grids_name(db, cast):
    phases = {state: (e.state, e.deadline_passed()) for state, e in ((s, fresh(e)) for s, e in cast.elections.items())}

    assert phases == {
        "nominating": ("nominating", False),
        "nominating-with-fay-facilitating": ("nominating", False),
        "consent": ("consent", False),
        "consent-past-its-deadline": ("consent", True),
        "cancelled": ("cancelled", False),
        "applying": ("applying", False),
        "voting": ("voting", False),
        "voting-after-nora-joined-finance": ("voting", False),
        "voting-past-its-deadline": ("voting", True),
        "closed": ("closed", False),
        "nominating-in-general": ("nominating", False),
        "other-nominating": ("nominating", False),
    }
    voters = {v.member.user.email for v in fresh(cast.elections["voting"]).voters.select_related("member__user")}
    assert voters == {"steve@acme.test", "mia@acme.test", "fay@acme.test"}


@pytest.mark.parametrize(("state", "persona", "expected"), grid(START_ELECTION, PERSONAS))
def test_admins_the_circles_steward_and_its_facilitator_start_an_election(db, cast, state, persona, expected):
    assert ask(cast, "roles.start_election", persona, role_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(VIEW_ELECTION, PERSONAS))
def test_every_member_of_its_organisation_follows_an_election(db, cast, state, persona, expected):
    assert ask(cast, "elections.view_election", persona, election_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(NOMINATE_OR_STAND, PERSONAS))
def test_those_on_the_circles_roster_now_nominate(db, cast, state, persona, expected):
    assert ask(cast, "elections.nominate", persona, election_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(NOMINATE_OR_STAND, PERSONAS))
def test_those_on_the_circles_roster_now_stand(db, cast, state, persona, expected):
    assert ask(cast, "elections.stand", persona, election_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(PROPOSE_CANDIDATE, PERSONAS))
def test_the_facilitator_or_else_the_steward_proposes_the_candidate(db, cast, state, persona, expected):
    assert ask(cast, "elections.propose_candidate", persona, election_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(VOTE, PERSONAS))
def test_only_the_voters_fixed_when_voting_opened_vote(db, cast, state, persona, expected):
    assert ask(cast, "elections.vote", persona, election_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(CANCEL_ELECTION, PERSONAS))
def test_admins_and_the_circles_steward_cancel_an_election(db, cast, state, persona, expected):
    assert ask(cast, "elections.cancel_election", persona, election_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(OFFER_CANCEL, PERSONAS))
def test_cancelling_is_offered_until_the_decisions_deadline(db, cast, state, persona, expected):
    assert ask(cast, "elections.offer_cancel", persona, election_in(cast, state)) is expected
