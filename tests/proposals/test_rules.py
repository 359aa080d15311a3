"""The proposals' rules (proposals/rules.py), asked directly: every persona of tests/conftest.py, a
visitor who has not logged in and an integration of Acme (a member's rights, on no roster) × Mia's
proposal in Finance through its life: a draft; an open round (as opened, once Nora joined Finance,
once Mia left it, once Finance was archived); a round past its deadline that the sweep has not closed
yet; a closed round; a withdrawn one; and Nora's open round in the general circle.

Who may vote in a round is fixed when it opens (Finance's roster then: Steve and Mia; in the general
circle, every member whose class may vote, which an integration's class may not)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import rules
import time_machine
from django.utils import timezone

from circles.models import CircleMembership
from circles.services import circle_archive, roster_add, roster_remove
from proposals.services import proposal_close, proposal_withdraw
from tests.factories import fresh, grid, make_integration, make_proposal

PERSONAS = ("anonymous", "oscar", "olga", "nora", "mia", "steve", "otto", "alice", "bot")
Y, N = True, False
WEEK = timedelta(days=7)


@pytest.fixture(scope="module")
def cast(module_world):
    world = module_world
    now = timezone.now()
    mia = world.member(world.mia)

    def proposal(title, *, circle=world.finance, author=mia, **settings):
        return make_proposal(circle, author, title=title, round_length=WEEK, **settings)

    with time_machine.travel(now - timedelta(days=10), tick=False):
        late = proposal("Move the bank account")
        ended = proposal("Pay invoices monthly")
    assert proposal_close(proposal_id=ended.pk)
    withdrawn = proposal("Buy a safe")
    proposal_withdraw(proposal=withdrawn, by=mia)
    opened = proposal("Adopt a shared budget")
    proposals = {
        "draft": proposal("Audit the accounts", opened=False),
        "open": opened,
        "open-after-nora-joined-finance": opened,
        "open-after-mia-left-finance": opened,
        "open-in-archived-finance": opened,
        "open-past-its-deadline": late,
        "closed": ended,
        "withdrawn": withdrawn,
        "open-in-general-by-nora": proposal("Meet monthly", circle=world.general, author=world.member(world.nora)),
    }
    people = {name: getattr(world, name) for name in PERSONAS if hasattr(world, name)}
    people.update(anonymous=None, bot=make_integration(world.organisation, by=world.member(world.alice)))
    return SimpleNamespace(world=world, people=people, proposals=proposals)


def proposal_in(cast, state):
    """Mia's proposal in the state the grid names; what happened since it opened happens inside the
    case (its savepoint undoes it)."""
    world = cast.world
    if state == "open-after-nora-joined-finance":
        roster_add(circle=fresh(world.finance), member=world.member(world.nora), by=None)
    if state == "open-after-mia-left-finance":
        membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)
        roster_remove(membership=membership, by=None, reason="Moved to Outreach.")
    if state == "open-in-archived-finance":
        circle_archive(circle=fresh(world.finance), by=None)
    return fresh(cast.proposals[state])


def circle_in(world, state):
    if state == "finance-archived":
        circle_archive(circle=fresh(world.finance), by=None)
    circles = {
        "finance": world.finance,
        "finance-archived": world.finance,
        "outreach": world.outreach,
        "acme-general": world.general,
        "other-general": world.other.circles.get(is_general=True),
    }
    return fresh(circles[state])


def ask(cast, rule, persona, obj) -> bool:
    return rules.test_rule(rule, fresh(cast.people[persona]), obj)


# fmt: off
# The object is a Circle: its roster proposes (in the general circle, everyone), until it is archived.
ADD_PROPOSAL = {
    #                                  anon oscar olga nora mia steve otto alice bot
    "finance":                        (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "finance-archived":               (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "outreach":                       (N,   N,    N,   N,   N,  N,    Y,   N,    N),
    "acme-general":                   (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "other-general":                  (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
# A draft is its author's until the round opens; from then on every member of the organisation sees it.
VIEW_PROPOSAL = {
    #                                  anon oscar olga nora mia steve otto alice bot
    "draft":                          (N,   N,    N,   N,   Y,  N,    N,   N,    N),
    "open":                           (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "open-in-archived-finance":       (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "closed":                         (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "withdrawn":                      (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "open-in-general-by-nora":        (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
}
# Who: the author, in every state (the service refuses what the state does not allow, with a 409).
CHANGE_PROPOSAL = {
    #                                  anon oscar olga nora mia steve otto alice bot
    "draft":                          (N,   N,    N,   N,   Y,  N,    N,   N,    N),
    "open":                           (N,   N,    N,   N,   Y,  N,    N,   N,    N),
    "open-after-mia-left-finance":    (N,   N,    N,   N,   Y,  N,    N,   N,    N),
    "closed":                         (N,   N,    N,   N,   Y,  N,    N,   N,    N),
    "withdrawn":                      (N,   N,    N,   N,   Y,  N,    N,   N,    N),
    "open-in-general-by-nora":        (N,   N,    N,   Y,   N,  N,    N,   N,    N),
}
# The voters fixed when the round opened, whoever joins or leaves the roster since; the state is the
# service's to refuse (a draft has no voters yet).
ADD_POSITION = {
    #                                  anon oscar olga nora mia steve otto alice bot
    "draft":                          (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "open":                           (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "open-after-nora-joined-finance": (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "open-after-mia-left-finance":    (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "open-in-archived-finance":       (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "open-past-its-deadline":         (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "closed":                         (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "withdrawn":                      (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "open-in-general-by-nora":        (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    N),
}
# The author or the circle's steward (Alice stewards the general circle).
WRITE_OUTCOME = {
    #                                  anon oscar olga nora mia steve otto alice bot
    "draft":                          (N,   N,    N,   N,   Y,  N,    N,   N,    N),
    "open":                           (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "closed":                         (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "withdrawn":                      (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "open-in-general-by-nora":        (N,   N,    N,   Y,   N,  N,    N,   Y,    N),
}
# The circle's roster now, the round's voters and the author.
COMMENT = {
    #                                  anon oscar olga nora mia steve otto alice bot
    "draft":                          (N,   N,    N,   N,   Y,  N,    N,   N,    N),
    "open":                           (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "open-after-nora-joined-finance": (N,   N,    N,   Y,   Y,  Y,    N,   N,    N),
    "open-after-mia-left-finance":    (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "open-in-archived-finance":       (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "closed":                         (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "withdrawn":                      (N,   N,    N,   N,   Y,  Y,    N,   N,    N),
    "open-in-general-by-nora":        (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
}
# What the page offers the author: withdrawing a draft or a round before its deadline ...
OFFER_WITHDRAW = {
    #                                  anon oscar olga nora mia steve otto alice bot
    "draft":                          (N,   N,    N,   N,   Y,  N,    N,   N,    N),
    "open":                           (N,   N,    N,   N,   Y,  N,    N,   N,    N),
    "open-past-its-deadline":         (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "closed":                         (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "withdrawn":                      (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "open-in-general-by-nora":        (N,   N,    N,   Y,   N,  N,    N,   N,    N),
}
# ... and amending an open round before its deadline (a draft is edited, not amended).
OFFER_AMEND = {
    #                                  anon oscar olga nora mia steve otto alice bot
    "draft":                          (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "open":                           (N,   N,    N,   N,   Y,  N,    N,   N,    N),
    "open-past-its-deadline":         (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "closed":                         (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "withdrawn":                      (N,   N,    N,   N,   N,  N,    N,   N,    N),
    "open-in-general-by-nora":        (N,   N,    N,   Y,   N,  N,    N,   N,    N),
}
# fmt: on


def test_each_proposal_is_in_the_state_the_grids_name(db, cast):
    proposals = {state: fresh(p) for state, p in cast.proposals.items() if "-after-" not in state}
    states = {state: (p.state, p.deadline_passed()) for state, p in proposals.items()}

    assert states == {
        "draft": ("draft", False),
        "open": ("open", False),
        "open-in-archived-finance": ("open", False),
        "open-past-its-deadline": ("open", True),
        "closed": ("closed", True),
        "withdrawn": ("withdrawn", False),
        "open-in-general-by-nora": ("open", False),
    }


@pytest.mark.parametrize(("state", "persona", "expected"), grid(ADD_PROPOSAL, PERSONAS))
def test_the_circles_roster_makes_proposals_in_it_until_it_is_archived(db, cast, state, persona, expected):
    assert ask(cast, "proposals.add_proposal", persona, circle_in(cast.world, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(VIEW_PROPOSAL, PERSONAS))
def test_a_draft_is_its_authors_and_a_round_every_members(db, cast, state, persona, expected):
    assert ask(cast, "proposals.view_proposal", persona, proposal_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(CHANGE_PROPOSAL, PERSONAS))
def test_only_its_author_changes_a_proposal(db, cast, state, persona, expected):
    assert ask(cast, "proposals.change_proposal", persona, proposal_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(ADD_POSITION, PERSONAS))
def test_the_voters_fixed_when_the_round_opened_take_a_position(db, cast, state, persona, expected):
    assert ask(cast, "proposals.add_position", persona, proposal_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(WRITE_OUTCOME, PERSONAS))
def test_the_author_and_the_circles_steward_write_the_outcome(db, cast, state, persona, expected):
    assert ask(cast, "proposals.write_outcome", persona, proposal_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(COMMENT, PERSONAS))
def test_the_circle_the_voters_and_the_author_comment(db, cast, state, persona, expected):
    assert ask(cast, "proposals.comment", persona, proposal_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(OFFER_WITHDRAW, PERSONAS))
def test_the_author_is_offered_to_withdraw_until_the_deadline(db, cast, state, persona, expected):
    assert ask(cast, "proposals.offer_withdraw", persona, proposal_in(cast, state)) is expected


@pytest.mark.parametrize(("state", "persona", "expected"), grid(OFFER_AMEND, PERSONAS))
def test_the_author_is_offered_to_amend_an_open_round_until_the_deadline(db, cast, state, persona, expected):
    assert ask(cast, "proposals.offer_amend", persona, proposal_in(cast, state)) is expected
