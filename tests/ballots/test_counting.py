"""The ranked count (elections/counting.py) against worked examples with known results: the single
transferable vote for several seats, instant-runoff for one, exact fractional surplus transfers, ties
broken by the stated rule, weights, and exhausted ballots."""

from fractions import Fraction

import pytest

from elections.counting import TIE_BY_CANDIDACY_ORDER, TIE_BY_EARLIER_ROUNDS, droop_quota, stv_count

# Candidates by their candidacy ids, in the order they stood.
ORANGE, PEAR, CHOCOLATE, STRAWBERRY, HAMBURGER = 1, 2, 3, 4, 5
FOOD = [ORANGE, PEAR, CHOCOLATE, STRAWBERRY, HAMBURGER]


def ballots(*groups):
    """(how many, ranking[, weight]) groups as (ranking, weight) ballots."""
    out = []
    for group in groups:
        n, ranking, *weight = group
        out += [(ranking, weight[0] if weight else 1)] * n
    return out


def test_the_droop_quota_is_one_more_than_the_votes_over_seats_plus_one():
    assert droop_quota(20, 3) == 6
    assert droop_quota(9, 1) == 5
    assert droop_quota(10, 2) == 4


def test_three_seats_by_stv_as_in_the_textbook_party_food_example():
    """Twenty voters, three seats, quota 6: Chocolate is elected at once and its surplus of 6 goes on
    at 6/12 per ballot (4 to Strawberry, 2 to Hamburger); Pear is eliminated and Orange reaches the
    quota; Hamburger is eliminated last, and Strawberry takes the third seat."""
    count = stv_count(
        candidates=FOOD,
        ballots=ballots(
            (4, [ORANGE]),
            (2, [PEAR, ORANGE]),
            (8, [CHOCOLATE, STRAWBERRY]),
            (4, [CHOCOLATE, HAMBURGER]),
            (1, [STRAWBERRY]),
            (1, [HAMBURGER]),
        ),
        seats=3,
    )

    assert count.quota == 6 and count.elected == [CHOCOLATE, ORANGE, STRAWBERRY]
    first, second, third, fourth, fifth = count.rounds
    assert first.totals == {ORANGE: 4, PEAR: 2, CHOCOLATE: 12, STRAWBERRY: 1, HAMBURGER: 1}
    assert first.elected == [CHOCOLATE] and first.transfers == {CHOCOLATE: {STRAWBERRY: 4, HAMBURGER: 2}}
    assert second.eliminated == [PEAR] and second.transfers == {PEAR: {ORANGE: 2}}
    assert third.elected == [ORANGE] and third.transfers == {}  # no surplus: nothing moves
    assert fourth.eliminated == [HAMBURGER] and fourth.transfers == {HAMBURGER: {None: 3}}
    assert fifth.elected == [STRAWBERRY] and fifth.exhausted == 3


def test_instant_runoff_elects_the_majority_after_transfers():
    a, b, c = 1, 2, 3
    count = stv_count(candidates=[a, b, c], ballots=ballots((4, [a]), (3, [b]), (2, [c, b])), seats=1)

    assert count.quota == 5 and count.elected == [b]
    assert [r.eliminated for r in count.rounds] == [[c], []]
    assert count.rounds[1].totals == {a: 4, b: 5}


def test_surpluses_move_on_at_exact_fractions():
    """Quota 4 of 9 for two seats: A's 7 leave a surplus of 3, so each of A's ballots goes on at 3/7."""
    a, b, c = 1, 2, 3
    count = stv_count(candidates=[a, b, c], ballots=ballots((5, [a, b]), (2, [a, c]), (2, [c])), seats=2)

    assert count.quota == 4
    assert count.rounds[0].transfers == {a: {b: Fraction(15, 7), c: Fraction(6, 7)}}
    assert count.rounds[1].totals == {b: Fraction(15, 7), c: Fraction(20, 7)}
    assert count.elected == [a, c]
    assert count.as_json()["rounds"][1]["totals"] == {"2": "15/7", "3": "20/7"}


def test_a_tie_for_elimination_is_broken_by_the_latest_earlier_round_where_they_differ():
    """A and B tie at 5 in round 2; B had fewer votes in round 1, so B is eliminated."""
    a, b, c = 1, 2, 3
    count = stv_count(candidates=[a, b, c], ballots=ballots((5, [a]), (3, [b]), (2, [c, b])), seats=1)

    second = count.rounds[1]
    assert second.totals == {a: 5, b: 5} and second.eliminated == [b]
    assert second.tie == {"candidacies": [a, b], "rule": TIE_BY_EARLIER_ROUNDS, "round": 1}
    assert count.elected == [a]


def test_a_tie_level_in_every_round_eliminates_the_candidacy_filed_last():
    a, b = 1, 2
    count = stv_count(candidates=[a, b], ballots=ballots((1, [a]), (1, [b])), seats=1)

    assert count.rounds[0].eliminated == [b]
    assert count.rounds[0].tie == {"candidacies": [a, b], "rule": TIE_BY_CANDIDACY_ORDER}
    assert count.elected == [a]


def test_exhausted_ballots_are_set_aside_and_counted_each_round():
    a, b, c = 1, 2, 3
    count = stv_count(candidates=[a, b, c], ballots=ballots((3, [a]), (2, [b]), (1, [c])), seats=1)

    assert [r.exhausted for r in count.rounds] == [0, 1, 3]
    assert count.rounds[0].transfers == {c: {None: 1}}
    assert count.elected == [a]  # alone in the count, though short of the quota of 4


def test_weights_count_as_votes_and_blank_ballots_do_not_enter_the_quota():
    a, b = 1, 2
    count = stv_count(candidates=[a, b], ballots=[([a], 1), ([a], 1), ([b], 3), ([], 2), ([99], 1)], seats=1)

    assert count.blank == 2 and count.valid_weight == 5 and count.quota == 3
    assert count.elected == [b]


def test_several_seats_are_filled_when_the_candidates_left_are_no_more_than_the_seats():
    a, b, c = 1, 2, 3
    count = stv_count(candidates=[a, b, c], ballots=ballots((1, [a]), (1, [b])), seats=3)

    assert count.elected == [a, b, c] and len(count.rounds) == 1


def test_it_refuses_no_seats():
    with pytest.raises(ValueError):
        stv_count(candidates=[1], ballots=[], seats=0)
