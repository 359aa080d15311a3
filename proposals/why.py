"""Why a closed round ended as it did: one sentence and a small table of the rule that decided it,
computed from the stored tally alone. The proposal page, the API (`why` on a proposal) and the
closing email all show this one answer, so they cannot tell different stories.

It restates services.outcome_of in words; a test holds the two to the same verdict for every
method, threshold and quorum."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext

from .models import Kind, Method, Proposal, Threshold


@dataclass(frozen=True)
class WhyRow:
    rule: str
    needed: str
    at_close: str
    met: bool


@dataclass(frozen=True)
class Why:
    outcome: str
    sentence: str
    rows: list[WhyRow] = field(default_factory=list)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole, 1):g}" if whole else "0"


def why_decided(proposal: Proposal) -> Why | None:
    """The rule that decided a closed round, in words; None while the round is not closed."""
    if proposal.state != Proposal.State.CLOSED:
        return None
    rows: list[WhyRow] = []
    quorum_clause = ""
    responded, eligible = proposal.responded_weight, proposal.eligible_weight
    if proposal.quorum_percent:
        met = proposal.quorum_met
        rows.append(
            WhyRow(
                rule=gettext("Quorum (share of the voting weight that responded)"),
                needed=gettext("%(q)s %%") % {"q": proposal.quorum_percent},
                at_close=gettext("%(r)s of %(e)s (%(p)s %%)")
                % {"r": responded, "e": eligible, "p": _percent(responded, eligible)},
                met=met,
            )
        )
        if not met:
            return Why(
                outcome=Proposal.Outcome.NO_QUORUM,
                sentence=gettext("Quorum not met: %(r)s of %(e)s voting weight responded, %(q)s %% needed.")
                % {"r": responded, "e": eligible, "q": proposal.quorum_percent},
                rows=rows,
            )
        quorum_clause = gettext("quorum %(q)s %% met with %(r)s of %(e)s") % {
            "q": proposal.quorum_percent,
            "r": responded,
            "e": eligible,
        }
    if proposal.method == Method.CONSENT:
        objections = proposal.heads(Kind.OBJECTION)
        rows.append(
            WhyRow(
                rule=gettext("Standing objections"),
                needed=gettext("none"),
                at_close=str(objections),
                met=not objections,
            )
        )
        if objections:
            sentence = ngettext(
                "%(n)s standing objection at the close; consent needs none.",
                "%(n)s standing objections at the close; consent needs none.",
                objections,
            ) % {"n": objections}
            return Why(outcome=Proposal.Outcome.REJECTED, sentence=sentence, rows=rows)
        sentence = (
            gettext("No standing objection; %(quorum)s.") % {"quorum": quorum_clause}
            if quorum_clause
            else gettext("No standing objection at the close.")
        )
        return Why(outcome=Proposal.Outcome.PASSED, sentence=sentence, rows=rows)
    agree, disagree = proposal.weight(Kind.AGREE), proposal.weight(Kind.DISAGREE)
    cast = agree + disagree
    two_thirds = proposal.threshold == Threshold.TWO_THIRDS
    passed = cast > 0 and (agree * 3 >= cast * 2 if two_thirds else agree * 2 > cast)
    rows.append(
        WhyRow(
            rule=gettext("Agree, of the weight of agree and disagree votes"),
            needed=gettext("two thirds or more") if two_thirds else gettext("more than half"),
            at_close=gettext("%(a)s of %(c)s (%(p)s %%)") % {"a": agree, "c": cast, "p": _percent(agree, cast)},
            met=passed,
        )
    )
    if cast == 0:
        sentence = gettext("No agree or disagree vote was cast, so the majority needed is not there.")
    elif two_thirds:
        sentence = (
            gettext("Agree %(a)s of %(c)s weight, two thirds or more.")
            if passed
            else gettext("Agree %(a)s of %(c)s weight, less than two thirds.")
        ) % {"a": agree, "c": cast}
    else:
        sentence = (
            gettext("Agree %(a)s of %(c)s weight, more than half.")
            if passed
            else gettext("Agree %(a)s of %(c)s weight, not more than half.")
        ) % {"a": agree, "c": cast}
    if quorum_clause:
        sentence = f"{sentence[:-1]}; {quorum_clause}."
    return Why(outcome=Proposal.Outcome.PASSED if passed else Proposal.Outcome.REJECTED, sentence=sentence, rows=rows)
