"""Counting ranked ballots: instant-runoff (one seat) and the single transferable vote (several seats).

Instant-runoff is the single transferable vote with one seat, so one function counts both. It is pure
(no database, no Django): the election's count calls it, and so can anyone who downloads the
published ballots to recount (tests/ballots/test_recount.py does exactly that).

Why not a library: the ones we looked at count unweighted ballots in floating point and break ties at
random; our ballots carry their membership class's weight, and a recount must give the same result
every time, to the last fraction.

The rules, as published on the election page:

- **Values are exact.** Every ballot starts with its voting weight as its value; values are
  `fractions.Fraction`s and never rounded, so a recount matches exactly.
- **Quota (Droop)**: ⌊V / (S + 1)⌋ + 1, where V is the total weight of the ballots that rank at least
  one candidate and S is the number of seats. A candidate whose total reaches the quota is elected.
- **Each round** counts every ballot for its highest-ranked candidate still in the count. Then:
  1. if the candidates still in the count are no more than the seats left, they are all elected;
  2. otherwise, every candidate at or above the quota is elected, and each one's surplus is
     transferred (Gregory method, weighted inclusive: every ballot counting for them goes on to its
     next choice still in the count, at its value × surplus ÷ their total);
  3. otherwise the candidate with the fewest votes is eliminated and their ballots go on, at their
     full value, to their next choice still in the count.
- **Ties** for elimination are broken by looking back: the tied candidate with fewer votes in the
  latest earlier round where the tied candidates differ is eliminated; if they were level in every
  round, the one whose candidacy was filed last (the higher candidacy id) is eliminated. Every broken
  tie is recorded in the round, with the rule that broke it. When several candidates are elected in
  one round they are listed by their totals, highest first, in the same order on a tie.
- **Exhausted ballots**: a ballot with no choice left still in the count is exhausted; its value is
  set aside, and each round says how much is set aside so far. Blank ballots are counted as cast but
  do not enter V.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

TIE_BY_EARLIER_ROUNDS = "fewer votes in an earlier round"
TIE_BY_CANDIDACY_ORDER = "candidacy filed last"


@dataclass
class Round:
    """One round: the totals at its start, what was decided, and where the votes went."""

    number: int
    totals: dict[int, Fraction]
    exhausted: Fraction
    elected: list[int] = field(default_factory=list)
    eliminated: list[int] = field(default_factory=list)
    # From whom to whom: {from_candidate: {to_candidate_or_None: value}}; None is "exhausted".
    transfers: dict[int, dict[int | None, Fraction]] = field(default_factory=dict)
    tie: dict | None = None

    def as_json(self) -> dict:
        """The round as stored on the election and published (exact values as strings: "7/3")."""
        return {
            "round": self.number,
            "totals": {str(c): str(v) for c, v in self.totals.items()},
            "exhausted": str(self.exhausted),
            "elected": self.elected,
            "eliminated": self.eliminated,
            "transfers": [
                {
                    "candidacy": source,
                    "to": [
                        {"candidacy": target, "value": str(value)}
                        for target, value in sorted(moves.items(), key=lambda m: (m[0] is None, m[0] or 0))
                    ],
                }
                for source, moves in self.transfers.items()
            ],
            "tie": self.tie,
        }


@dataclass
class Count:
    quota: Fraction
    elected: list[int]
    rounds: list[Round]
    valid_weight: int
    blank: int

    def as_json(self) -> dict:
        return {
            "quota": str(self.quota),
            "valid_weight": self.valid_weight,
            "blank": self.blank,
            "rounds": [r.as_json() for r in self.rounds],
        }


def droop_quota(valid_weight: int, seats: int) -> Fraction:
    return Fraction(valid_weight // (seats + 1) + 1)


def stv_count(*, candidates: Sequence[int], ballots: Iterable[tuple[Sequence[int], int]], seats: int) -> Count:
    """Count ranked ballots for `seats` seats among `candidates` (candidacy ids, in the order they
    were filed). Each ballot is (ranking, weight): the candidacy ids from first choice down; ids
    that are not candidates and repeats are skipped. Returns who was elected, in order, and every round."""
    if seats < 1:
        raise ValueError("At least one seat.")
    standing = list(dict.fromkeys(candidates))
    order = {c: i for i, c in enumerate(standing)}
    piles: list[tuple[list[int], Fraction]] = []  # each ballot: (its ranking, its current value)
    blank = 0
    for ranking, weight in ballots:
        ranked = [c for c in dict.fromkeys(ranking) if c in order]
        if not ranked:
            blank += 1
            continue
        piles.append((ranked, Fraction(weight)))
    valid_weight = int(sum(value for _, value in piles))
    quota = droop_quota(valid_weight, seats)
    continuing = list(standing)
    elected: list[int] = []
    rounds: list[Round] = []
    exhausted = Fraction(0)

    def holder(ranking: list[int]) -> int | None:
        return next((c for c in ranking if c in continuing), None)

    while len(elected) < seats and continuing:
        totals = {c: Fraction(0) for c in continuing}
        for ranking, value in piles:
            top = holder(ranking)
            if top is not None:
                totals[top] += value
        current = Round(number=len(rounds) + 1, totals=dict(totals), exhausted=exhausted)
        rounds.append(current)
        left = seats - len(elected)
        by_total = sorted(continuing, key=lambda c: (-totals[c], order[c]))
        if len(continuing) <= left:
            current.elected = by_total
            elected.extend(by_total)
            break
        reaching = [c for c in by_total if totals[c] >= quota]
        if reaching:
            current.elected = reaching
            elected.extend(reaching)
            moving = {c: (totals[c] - quota) / totals[c] for c in reaching}
        else:
            loser, current.tie = _lowest(continuing, totals, rounds[:-1], order)
            current.eliminated = [loser]
            moving = {loser: Fraction(1)}
        for c in moving:
            continuing.remove(c)
        if len(elected) >= seats:
            break
        # Move the ballots of those elected or eliminated on to their next choice still in the count.
        moved: list[tuple[list[int], Fraction]] = []
        for ranking, value in piles:
            top = next((c for c in ranking if c in continuing or c in moving), None)
            if top in moving:
                value = value * moving[top]
                if not value:  # an elected candidate without a surplus keeps the whole ballot
                    continue
                target = holder(ranking)
                bucket = current.transfers.setdefault(top, {})
                bucket[target] = bucket.get(target, Fraction(0)) + value
                if target is None:
                    exhausted += value
                    continue
            elif top is None:
                continue
            moved.append((ranking, value))
        piles = moved
    return Count(quota=quota, elected=elected, rounds=rounds, valid_weight=valid_weight, blank=blank)


def _lowest(continuing, totals, earlier: list[Round], order) -> tuple[int, dict | None]:
    """The candidate to eliminate, and the tie broken to find them (None if there was none)."""
    low = min(totals[c] for c in continuing)
    tied = [c for c in continuing if totals[c] == low]
    if len(tied) == 1:
        return tied[0], None
    reported = sorted(tied, key=lambda c: order[c])
    for past in reversed(earlier):
        values = {c: past.totals.get(c, Fraction(0)) for c in tied}
        least = min(values.values())
        if any(v != least for v in values.values()):
            tied_then = [c for c in tied if values[c] == least]
            if len(tied_then) == 1:
                return tied_then[0], {"candidacies": reported, "rule": TIE_BY_EARLIER_ROUNDS, "round": past.number}
            tied = tied_then
    loser = max(tied, key=lambda c: order[c])
    return loser, {"candidacies": reported, "rule": TIE_BY_CANDIDACY_ORDER}
