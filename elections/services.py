"""Writes to elections: sociocratic selection (nominations, then a consent round on the candidate,
through proposals) and ballots (applications, secret voting, the count), and the seats they fill.

Elections take part in what the lower apps do through their hooks (ElectionsConfig.ready()): a
consent round closing seats its candidate (proposals.hooks.round_closed), the rotation sweep opens
elections ahead of a term's end and advances ballots (roles.hooks.rotation_steps), and archiving a
role cancels its election (roles.hooks.role_archived)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from circles.queries import on_roster
from elections.councils import council_seats_sync
from elections.counting import stv_count
from elections.queries import NOBODY_MAY_VOTE, NOBODY_STOOD, state_in_sentence
from governance.errors import Conflict, DomainError, Invalid, NotAllowed
from governance.models import Member
from governance.services import clean_reason, event_record, notifications_queue
from governance.sweeps import sweep_each
from proposals.models import Proposal
from proposals.services import eligible_members, proposal_create, proposal_open, proposal_withdraw
from roles.models import (
    Ballot,
    BallotVoter,
    Candidacy,
    Counting,
    Election,
    ElectionMethod,
    Nomination,
    NomineeAnswer,
    Role,
    RoleAssignment,
    Selection,
)
from roles.queries import stewards_by_circle
from roles.services import (
    Ineligible,
    assignment_end,
    assignment_organisation,
    circle_people,
    eligibility_problem,
    format_date,
    page_url,
    role_assign,
    running_at,
    term_end,
)

log = logging.getLogger(__name__)

# What elections do when the lower apps act (registered in apps.py) ------------------------------


def elections_rotation_step(*, now) -> dict[str, int]:
    """The rotation sweep's election steps (roles.hooks.rotation_steps)."""
    return {
        "elections_opened": elections_open_ahead(now=now),
        "elections_advanced": elections_advance_due(now=now),
        **council_seats_sync(now=now),
    }


def elections_cancel_for_role(*, role: Role, by: Member | None) -> None:
    """A role was archived (roles.hooks.role_archived): its election under way is cancelled."""
    for election in role.elections.active():
        election_cancel(election=election, by=by, reason="The role was archived.")


def election_rounds_closed(proposals: list[Proposal]) -> None:
    """Consent rounds closed (proposals.hooks.round_closed), in their transaction: a sociocratic
    selection's round seats its candidate. One query finds the rounds that decide an election, so
    that a batch without any costs no more."""
    electing = set(Election.objects.filter(proposal__in=proposals).values_list("proposal_id", flat=True))
    for proposal in proposals:
        if proposal.pk in electing:
            election_round_closed(proposal=proposal)


# The sweep's steps ------------------------------------------------------------------------------


def elections_open_ahead(*, now=None) -> int:
    """Open an election for an elected role whose term ends within ROLE_ELECTION_LEAD_DAYS, unless one
    is under way or was already held for that term."""
    now = now or timezone.now()
    horizon = now + timedelta(days=settings.ROLE_ELECTION_LEAD_DAYS)
    ending = (
        RoleAssignment.objects.current()
        .filter(
            planned_end_at__gt=now,
            planned_end_at__lte=horizon,
            role__selection=Selection.ELECTED,
            role__archived_at__isnull=True,
            role__circle__archived_at__isnull=True,
        )
        .select_related("role__circle__organisation")
        .order_by("planned_end_at")
    )

    def open_ahead(assignment: RoleAssignment) -> int:
        role = assignment.role
        if role.elections.filter(
            Q(state__in=Election.ACTIVE_STATES) | Q(term_starts_at=assignment.planned_end_at)
        ).exists():
            return 0
        if role.assignments.open().filter(member=assignment.member, started_at__gte=assignment.planned_end_at).exists():
            return 0
        try:
            with transaction.atomic():
                election_open(role=role, by=None, term_starts_at=assignment.planned_end_at)
                return 1
        except (DomainError, IntegrityError) as refusal:  # another worker opened it, or no seat frees up
            log.info("No election opened for %s: %s", role, refusal)
            return 0

    return sweep_each(
        ending, open_ahead, sweep="elections_open_ahead", now=now, organisation=assignment_organisation
    ).total


def elections_advance_due(*, now=None) -> int:
    """Move ballots to their next phase at their deadlines; remind the facilitator when nominations close."""
    now = now or timezone.now()
    due = Election.objects.filter(
        Q(state=Election.State.APPLYING, applications_close_at__lte=now)
        | Q(state=Election.State.VOTING, voting_closes_at__lte=now)
    ).order_by("pk")
    advanced = sweep_each(
        due, lambda election: election_advance(election_id=election.pk, now=now), sweep="elections_advance_due", now=now
    ).total
    nominated = Election.objects.filter(state=Election.State.NOMINATING, nominations_close_at__lte=now).select_related(
        "role__circle__organisation"
    )
    sweep_each(nominated, _remind_facilitator, sweep="elections_remind_facilitator", now=now)
    return advanced


# Elections --------------------------------------------------------------------------------------


def facilitators_of(circle) -> list[Member]:
    return [
        a.member
        for a in RoleAssignment.objects.current()
        .filter(role__circle=circle, role__kind=Role.Kind.FACILITATOR, role__archived_at__isnull=True)
        .select_related("member__user")
    ]


def _remind_facilitator(election: Election) -> None:
    role, organisation = election.role, election.organisation
    people = facilitators_of(role.circle) or [
        m for m in [stewards_by_circle([role.circle_id]).get(role.circle_id)] if m
    ]
    notifications_queue(
        recipients=[m.user for m in people],
        kind="election_nominations_closed",
        key=f"election:{election.pk}",
        organisation=organisation,
        context={"role": role, "url": page_url("election", organisation, pk=election.pk)},
    )


def _lock_election(election: Election) -> Election:
    return (
        Election.objects.select_for_update(of=("self",))
        .select_related("role__circle__organisation", "organisation", "candidate__user", "proposal")
        .get(pk=election.pk)
    )


@transaction.atomic
def election_open(
    *,
    role: Role,
    by: Member | None,
    method: str | None = None,
    counting: str | None = None,
    term_starts_at=None,
    nominations_close_at=None,
    applications_close_at=None,
    voting_closes_at=None,
) -> Election:
    """Start choosing the next holders of a role: nominations (sociocratic selection) or applications
    (ballot). The seats it fills are those free when the new term starts."""
    role = Role.objects.select_for_update(of=("self",)).select_related("circle__organisation").get(pk=role.pk)
    organisation = role.circle.organisation
    now = timezone.now()
    if role.is_archived or role.circle.is_archived:
        raise Conflict(gettext("This role is archived; it cannot be elected."))
    if role.elections.active().exists():
        raise Conflict(gettext("An election for %(role)s is already under way.") % {"role": role.name})
    method = method or role.election_method
    if method not in ElectionMethod.values:
        raise Invalid(gettext("Choose sociocratic selection or a ballot."), field="method")
    if term_starts_at is None:
        ending = [a.planned_end_at for a in role.assignments.current() if a.planned_end_at]
        free_now = role.assignments.current().count() < role.seats
        term_starts_at = now if free_now or not ending else min(ending)
    term_starts_at = max(term_starts_at, now)
    seats = role.seats - running_at(role, term_starts_at).count()
    if seats < 1:
        raise Conflict(
            gettext("Every seat of %(role)s is taken when the new term would start; there is nothing to elect.")
            % {"role": role.name}
        )
    counting = counting or Counting.PLURALITY
    if counting not in Counting.values:
        raise Invalid(gettext("Choose plurality or ranked counting."), field="counting")
    if method == ElectionMethod.SOCIOCRATIC:
        counting = Counting.PLURALITY  # a selection is decided by consent, not counted
    days = timedelta(days=1)
    election = Election(
        counting=counting,
        organisation=organisation,
        role=role,
        method=method,
        seats=seats,
        term_starts_at=term_starts_at,
        opened_by=by,
        opened_at=now,
    )
    if method == ElectionMethod.SOCIOCRATIC:
        election.state = Election.State.NOMINATING
        election.nominations_close_at = nominations_close_at or now + settings.ROLE_NOMINATION_DAYS * days
        if election.nominations_close_at <= now:
            raise Invalid(gettext("Nominations must close in the future."), field="nominations_close_at")
    else:
        election.state = Election.State.APPLYING
        election.applications_close_at = applications_close_at or now + settings.ROLE_BALLOT_APPLICATION_DAYS * days
        election.voting_closes_at = voting_closes_at or election.applications_close_at + (
            settings.ROLE_BALLOT_VOTING_DAYS * days
        )
        if election.applications_close_at <= now:
            raise Invalid(gettext("Applications must close in the future."), field="applications_close_at")
        if election.voting_closes_at <= election.applications_close_at + timedelta(hours=1):
            raise Invalid(
                gettext("Voting must last at least an hour after applications close."), field="voting_closes_at"
            )
    election.save()
    event_record(
        organisation=organisation,
        actor=by,
        verb="election.opened",
        obj=election,
        circle=role.circle,
        details={"role": role.name, "method": method, "counting": counting, "seats": seats},
    )
    sociocratic = method == ElectionMethod.SOCIOCRATIC
    until = election.nominations_close_at if sociocratic else election.applications_close_at
    notifications_queue(
        recipients=circle_people(role.circle),
        kind="election_opened",
        key=f"election:{election.pk}",
        organisation=organisation,
        context={
            "role": role,
            "election": election,
            "sociocratic": sociocratic,
            "until": format_date(until, organisation),
            "term_from": format_date(term_starts_at, organisation),
            "url": page_url("election", organisation, pk=election.pk),
        },
    )
    return election


@transaction.atomic
def nomination_add(*, election: Election, nominee: Member, by: Member, reason: str) -> Nomination:
    """A circle member nominates someone, themselves included, with a reason."""
    election = _lock_election(election)
    role = election.role
    if election.method != ElectionMethod.SOCIOCRATIC:
        raise Conflict(gettext("This election is a ballot: candidates stand with a statement instead."))
    if election.state != Election.State.NOMINATING:
        raise Conflict(
            gettext("Nominations are closed: the election is at “%(state)s”.") % {"state": state_in_sentence(election)}
        )
    if election.phase_deadline_passed():
        raise Conflict(
            gettext("Nominations closed on %(date)s.")
            % {"date": format_date(election.nominations_close_at, election.organisation)}
        )
    if not on_roster(by, role.circle):
        raise NotAllowed(gettext("Only members of %(circle)s can nominate.") % {"circle": role.circle})
    reason = clean_reason(reason, what=gettext("you nominate them"), max_length=2000)
    problem = eligibility_problem(role=role, member=nominee, start=election.term_starts_at)
    if problem:
        raise Invalid(problem.message, field="nominee")
    if Nomination.objects.filter(election=election, nominee=nominee, nominated_by=by).exists():
        raise Conflict(gettext("You have already nominated %(name)s.") % {"name": nominee.user}, field="nominee")
    nomination = Nomination.objects.create(election=election, nominee=nominee, nominated_by=by, reason=reason)
    if nominee.pk == by.pk:  # nominating oneself is accepting to stand
        NomineeAnswer.objects.update_or_create(
            election=election, nominee=nominee, defaults={"accepted": True, "answered_at": timezone.now()}
        )
    elif not NomineeAnswer.objects.filter(election=election, nominee=nominee).exists():
        notifications_queue(
            recipients=[nominee.user],
            kind="election_nominated",
            key=f"election:{election.pk}",
            organisation=election.organisation,
            context={
                "role": role,
                "by": str(by.user),
                "reason": reason,
                "url": page_url("election", election.organisation, pk=election.pk),
            },
        )
    event_record(
        organisation=election.organisation,
        actor=by,
        verb="election.nominated",
        obj=election,
        circle=role.circle,
        details={"role": role.name, "member": str(nominee.user)},
    )
    return nomination


@transaction.atomic
def nomination_answer(*, election: Election, nominee: Member, accepted: bool) -> NomineeAnswer:
    """A nominee accepts or declines to stand, while nominations are open; only one who accepted may
    be proposed. They may change their mind until a candidate is proposed."""
    election = _lock_election(election)
    if election.method != ElectionMethod.SOCIOCRATIC:
        raise Conflict(gettext("Only a sociocratic selection has nominations to answer."))
    if election.state != Election.State.NOMINATING:
        raise Conflict(gettext("Nominations are closed: a candidate has been proposed or the election is over."))
    if not Nomination.objects.filter(election=election, nominee=nominee).exists():
        raise NotAllowed(gettext("You have not been nominated in this election."))
    answer, _created = NomineeAnswer.objects.update_or_create(
        election=election, nominee=nominee, defaults={"accepted": bool(accepted), "answered_at": timezone.now()}
    )
    event_record(
        organisation=election.organisation,
        actor=nominee,
        verb="election.nomination_accepted" if accepted else "election.nomination_declined",
        obj=election,
        circle=election.role.circle,
        details={"role": election.role.name, "member": str(nominee.user)},
    )
    runners = facilitators_of(election.role.circle) or [
        m for m in [stewards_by_circle([election.role.circle_id]).get(election.role.circle_id)] if m
    ]
    notifications_queue(
        recipients=[m.user for m in runners if m.pk != nominee.pk],
        kind="election_nomination_answered",
        key=f"election:{election.pk}:answer:{nominee.pk}:{int(bool(accepted))}",
        organisation=election.organisation,
        context={
            "role": election.role,
            "member": str(nominee.user),
            "accepted": bool(accepted),
            "url": page_url("election", election.organisation, pk=election.pk),
        },
    )
    return answer


@transaction.atomic
def election_propose(*, election: Election, candidate: Member, by: Member, round_days: int | None = None) -> Election:
    """The facilitator proposes a nominee: a consent round in the role's circle, through proposals.
    If it passes, the assignment is created when the round closes (election_round_closed)."""
    election = _lock_election(election)
    role, organisation = election.role, election.organisation
    if election.method != ElectionMethod.SOCIOCRATIC:
        raise Conflict(gettext("Only a sociocratic selection has a proposed candidate."))
    retry = (
        election.state == Election.State.CONSENT
        and election.proposal is not None
        and election.proposal.state == Proposal.State.WITHDRAWN
    )
    if election.state != Election.State.NOMINATING and not retry:
        raise Conflict(
            gettext("A candidate can be proposed while nominations are open, not at “%(state)s”.")
            % {"state": state_in_sentence(election)}
        )
    if not Nomination.objects.filter(election=election, nominee=candidate).exists():
        raise Invalid(
            gettext("%(name)s has not been nominated; propose one of the nominees.") % {"name": candidate.user},
            field="candidate",
        )
    answer = NomineeAnswer.objects.filter(election=election, nominee=candidate).first()
    if answer is None or not answer.accepted:
        raise Conflict(
            gettext("%(name)s has declined the nomination.") % {"name": candidate.user}
            if answer
            else gettext("%(name)s has not accepted the nomination yet; they are asked first.")
            % {"name": candidate.user},
            field="candidate",
        )
    problem = eligibility_problem(role=role, member=candidate, start=election.term_starts_at)
    if problem:
        raise Invalid(problem.message, field="candidate")
    start = max(election.term_starts_at, timezone.now())
    end = term_end(role, start)
    term = (
        f"from {format_date(start, organisation)} until {format_date(end, organisation)}"
        if end
        else f"from {format_date(start, organisation)}"
    )
    reasons = "\n".join(
        f"- {n.nominated_by.user}: {n.reason}"
        for n in election.nominations.filter(nominee=candidate).select_related("nominated_by__user")
    )
    proposal = proposal_create(
        circle=role.circle,
        author=by,
        title=f"Select {candidate.user} as {role.name}"[:200],
        body=f"As facilitator, I propose **{candidate.user}** as {role.name} of {role.circle}, {term}.\n\n"
        f"Why they were nominated:\n\n{reasons}\n\n"
        "Consent means you have no objection that this would harm the circle. If the round passes, "
        "the term is assigned automatically.",
        round_length=timedelta(days=round_days or organisation.consent_round_days),
        # A selection closes as soon as everyone eligible has consented (no objection, all responded).
        early_close=True,
    )
    proposal = proposal_open(proposal=proposal, by=by)
    election.state, election.candidate, election.proposal = Election.State.CONSENT, candidate, proposal
    election.save(update_fields=["state", "candidate", "proposal"])
    event_record(
        organisation=organisation,
        actor=by,
        verb="election.proposed",
        obj=election,
        circle=role.circle,
        details={"role": role.name, "member": str(candidate.user), "proposal": proposal.pk},
    )
    return election


def election_round_closed(*, proposal) -> Election | None:
    """A round closed (through election_rounds_closed), in the same transaction: a passed selection
    round seats its candidate with the term; one that did not pass sends the election back to nominations."""
    election = (
        Election.objects.select_for_update(of=("self",))
        .select_related("role__circle__organisation", "organisation", "candidate__user")
        .filter(proposal=proposal, state=Election.State.CONSENT)
        .first()
    )
    if election is None:
        return None
    rounds = [*election.results.get("rounds", [])]
    rounds.append({"proposal": proposal.pk, "candidate": election.candidate_id, "outcome": proposal.outcome})
    election.results = {**election.results, "rounds": rounds}
    if proposal.outcome != proposal.Outcome.PASSED:
        election.state, election.candidate = Election.State.NOMINATING, None
        election.nominations_close_at = None  # the facilitator may propose again when ready
        election.save(update_fields=["state", "candidate", "results", "nominations_close_at"])
        event_record(
            organisation=election.organisation,
            actor=None,
            verb="election.not_consented",
            obj=election,
            circle=election.role.circle,
            details={"role": election.role.name, "outcome": proposal.outcome},
        )
        return election
    seated, refused = _seat(election, [election.candidate])
    election.results = {**election.results, "elected": seated, "not_seated": refused}
    _close(election)
    return election


def _seat(election: Election, members: list[Member]) -> tuple[list[int], list[dict]]:
    """Give each chosen member their term. A refusal (the roster or the seats changed meanwhile) is
    recorded on the election rather than undoing the count. The role is locked before the clock is
    read, as in role_assign."""
    Role.objects.select_for_update(of=("self",)).filter(pk=election.role_id).first()
    now = timezone.now()
    start = max(election.term_starts_at, now)
    seated, refused = [], []
    for member in members:
        try:
            with transaction.atomic():
                holding = running_at(election.role, start).filter(member=member).first()
                if holding is not None and start <= now:
                    assignment_end(assignment=holding, by=None, reason=RoleAssignment.EndReason.RE_ELECTED)
                role_assign(role=election.role, member=member, by=None, started_at=start, election=election)
                seated.append(member.pk)
        except DomainError as refusal:
            refused.append({"member": member.pk, "name": str(member.user), "reason": refusal.message})
    return seated, refused


def _close(election: Election) -> None:
    election.state, election.closed_at = Election.State.CLOSED, timezone.now()
    election.save(update_fields=["state", "closed_at", "results"])
    role, organisation = election.role, election.organisation
    elected = list(Member.objects.filter(pk__in=election.results.get("elected", [])).select_related("user"))
    event_record(
        organisation=organisation,
        actor=None,
        verb="election.closed",
        obj=election,
        circle=role.circle,
        details={
            "role": role.name,
            "elected": [str(m.user) for m in elected],
            "tie": bool(election.results.get("tie")),
        },
    )
    notifications_queue(
        recipients=circle_people(role.circle),
        kind="election_closed",
        key=f"election:{election.pk}",
        organisation=organisation,
        context={
            "role": role,
            "names": [str(m.user) for m in elected],
            "tie": election.results.get("tie"),
            "url": page_url("election", organisation, pk=election.pk),
        },
    )


@transaction.atomic
def candidacy_add(*, election: Election, member: Member, statement: str) -> Candidacy:
    """Stand in a ballot with a statement, during the application phase."""
    election = _lock_election(election)
    role = election.role
    if election.method != ElectionMethod.BALLOT:
        raise Conflict(gettext("This is a sociocratic selection: nominate someone instead."))
    if election.state != Election.State.APPLYING or election.phase_deadline_passed():
        raise Conflict(gettext("Applications are closed for this election."))
    statement = (statement or "").strip()
    if not statement:
        raise Invalid(gettext("Write a statement: why you, and what you would do in the role."), field="statement")
    if len(statement) > 5000:
        raise Invalid(
            gettext("Keep the statement to %(max)d characters (%(length)d now).")
            % {"max": 5000, "length": len(statement)},
            field="statement",
        )
    problem = eligibility_problem(role=role, member=member, start=election.term_starts_at)
    if problem:
        off_roster = problem.code == Ineligible.NOT_ON_ROSTER
        raise NotAllowed(problem.message) if off_roster else Invalid(problem.message)
    if election.candidacies.filter(member=member, withdrawn_at__isnull=True).exists():
        raise Conflict(gettext("You are already standing in this election."))
    candidacy = Candidacy.objects.create(election=election, member=member, statement=statement)
    event_record(
        organisation=election.organisation,
        actor=member,
        verb="election.candidacy",
        obj=election,
        circle=role.circle,
        details={"role": role.name, "member": str(member.user)},
    )
    return candidacy


@transaction.atomic
def candidacy_withdraw(*, candidacy: Candidacy, member: Member) -> Candidacy:
    election = _lock_election(candidacy.election)
    if candidacy.member_id != member.pk:
        raise NotAllowed(gettext("Only the candidate can withdraw their candidacy."))
    if election.state != Election.State.APPLYING or election.phase_deadline_passed():
        raise Conflict(gettext("Candidacies can be withdrawn only while applications are open."))
    if not Candidacy.objects.filter(pk=candidacy.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now()):
        raise Conflict(gettext("This candidacy is already withdrawn."))
    candidacy.refresh_from_db()
    event_record(
        organisation=election.organisation,
        actor=member,
        verb="election.candidacy_withdrawn",
        obj=election,
        circle=election.role.circle,
        details={"role": election.role.name, "member": str(member.user)},
    )
    return candidacy


def election_advance(*, election_id: int, now=None) -> bool:
    """Move one ballot to its next phase if its deadline has passed: applications → voting (who may
    vote is fixed now, with their class's weight), voting → closed (counted, seats filled)."""
    now = now or timezone.now()
    with transaction.atomic():
        election = (
            Election.objects.select_for_update(of=("self",))
            .select_related("role__circle__organisation", "organisation")
            .filter(pk=election_id)
            .filter(
                Q(state=Election.State.APPLYING, applications_close_at__lte=now)
                | Q(state=Election.State.VOTING, voting_closes_at__lte=now)
            )
            .first()
        )
        if election is None:
            return False
        if election.state == Election.State.APPLYING:
            candidates = election.candidacies.filter(withdrawn_at__isnull=True).count()
            voters = eligible_members(election.role.circle)
            if not candidates or not voters:
                election.results = {
                    "elected": [],
                    "counts": [],
                    "note": NOBODY_STOOD if not candidates else NOBODY_MAY_VOTE,
                }
                _close(election)
                return True
            BallotVoter.objects.bulk_create(
                [BallotVoter(election=election, member=m, weight=m.membership_class.voting_weight) for m in voters]
            )
            election.state = Election.State.VOTING
            election.voters_count = len(voters)
            election.voters_weight = sum(m.membership_class.voting_weight for m in voters)
            election.save(update_fields=["state", "voters_count", "voters_weight"])
            event_record(
                organisation=election.organisation,
                actor=None,
                verb="election.voting_opened",
                obj=election,
                circle=election.role.circle,
                details={"role": election.role.name, "voters": len(voters)},
            )
            organisation = election.organisation
            notifications_queue(
                recipients=[m.user for m in voters],
                kind="election_voting",
                key=f"election:{election.pk}",
                organisation=organisation,
                context={
                    "role": election.role,
                    "closes": format_date(election.voting_closes_at, organisation),
                    "url": page_url("election", organisation, pk=election.pk),
                },
            )
            return True
        election.results = ballot_count(election)
        elected = list(
            Member.objects.filter(pk__in=election.results["elected"]).select_related("user", "membership_class")
        )
        order = {pk: i for i, pk in enumerate(election.results["elected"])}
        seated, refused = _seat(election, sorted(elected, key=lambda m: order[m.pk]))
        election.results = {**election.results, "elected": seated, "not_seated": refused}
        _close(election)
        return True


def ballot_count(election: Election) -> dict:
    """Count the ballots, by plurality or ranked (ranked_count)."""
    if election.counting == Counting.RANKED:
        return ranked_count(election)
    return plurality_count(election)


def ranked_count(election: Election) -> dict:
    """Count ranked ballots by instant-runoff or STV (elections.counting, whose rules the page states).
    `counts` holds the first preferences; `count` every round, with where the votes went."""
    candidacies = list(election.candidacies.filter(withdrawn_at__isnull=True).select_related("member__user"))
    by_pk = {c.pk: c for c in candidacies}
    cast = list(Ballot.objects.filter(election=election).values_list("choices", "weight"))
    count = stv_count(candidates=sorted(by_pk), ballots=cast, seats=election.seats)
    first = {c.pk: [0, 0] for c in candidacies}
    for choices, weight in cast:
        top = next((c for c in choices if c in first), None)
        if top is not None:
            first[top][0] += weight
            first[top][1] += 1
    ranking = sorted(candidacies, key=lambda c: (-first[c.pk][0], c.pk))
    return {
        "counting": Counting.RANKED,
        "counts": [
            {
                "candidacy": c.pk,
                "member": c.member_id,
                "name": str(c.member.user),
                "weight": first[c.pk][0],
                "votes": first[c.pk][1],
            }
            for c in ranking
        ],
        "ballots": len(cast),
        "elected": [by_pk[pk].member_id for pk in count.elected],
        "elected_candidacies": count.elected,
        "tie": None,
        "count": count.as_json(),
        "ballots_published": weights_single_out_nobody([w for _, w in cast]),
    }


def plurality_count(election: Election) -> dict:
    """Count the ballots: each choice adds the ballot's weight. The top N take the N seats. When
    candidates tie for the last seats, those ahead are elected and the tie is reported with the seats
    it leaves open; it is never broken by lot or by order."""
    candidacies = list(election.candidacies.filter(withdrawn_at__isnull=True).select_related("member__user"))
    weights = {c.pk: 0 for c in candidacies}
    votes = {c.pk: 0 for c in candidacies}
    ballots, cast = 0, []
    for choices, weight in Ballot.objects.filter(election=election).values_list("choices", "weight"):
        ballots += 1
        cast.append(weight)
        for choice in choices:
            if choice in weights:
                weights[choice] += weight
                votes[choice] += 1
    ranking = sorted(candidacies, key=lambda c: (-weights[c.pk], c.pk))
    counts = [
        {
            "candidacy": c.pk,
            "member": c.member_id,
            "name": str(c.member.user),
            "weight": weights[c.pk],
            "votes": votes[c.pk],
        }
        for c in ranking
    ]
    seats = election.seats
    scored = [c for c in ranking if weights[c.pk] > 0]
    elected, tie = scored[:seats], None
    if len(scored) > seats and weights[scored[seats - 1].pk] == weights[scored[seats].pk]:
        cut = weights[scored[seats].pk]
        elected = [c for c in scored if weights[c.pk] > cut]
        tied = [c for c in scored if weights[c.pk] == cut]
        tie = {
            "weight": cut,
            "candidacies": [c.pk for c in tied],
            "members": [c.member_id for c in tied],
            "names": [str(c.member.user) for c in tied],
            "seats_left": seats - len(elected),
        }
    return {
        "counts": counts,
        "ballots": ballots,
        "elected": [c.member_id for c in elected],
        "tie": tie,
        "ballots_published": weights_single_out_nobody(cast),
    }


def weights_single_out_nobody(weights: list[int]) -> bool:
    """Whether the ballots of a count may be published with their weights, and each candidate's
    votes beside their weight: yes when everyone who voted has the same weight (it then says
    nothing), or when every weight is shared by at least two of them. Otherwise the weight of a
    ballot, or a candidate's weight less their votes, joined with who voted (public: the turnout),
    would show how the one voter with that weight voted; only the weighted totals, which decide,
    are then published (queries.published_results)."""
    held = Counter(weights)
    return len(held) <= 1 or min(held.values()) >= 2


@transaction.atomic
def ballot_cast(*, election: Election, member: Member, choices: list[int]) -> None:
    """Cast a secret ballot: up to one choice per seat among the candidates, or none (a blank ballot);
    in a ranked election, the candidates in order of preference, as many as the voter wishes.

    `has_voted` is flipped on the voter's row (once: a conditional update) and an anonymous ballot
    row is written with the weight; nothing returned or stored links the two."""
    election = _lock_election(election)
    if election.method != ElectionMethod.BALLOT:
        raise Conflict(gettext("This election is decided by consent, not by ballot."))
    if election.state != Election.State.VOTING:
        raise Conflict(
            gettext("Voting is not open: the election is at “%(state)s”.") % {"state": state_in_sentence(election)}
        )
    if election.deadline_passed():
        raise Conflict(
            gettext("Voting closed on %(date)s.")
            % {"date": format_date(election.voting_closes_at, election.organisation)}
        )
    voter = BallotVoter.objects.filter(election=election, member=member).first()
    if voter is None:
        raise NotAllowed(gettext("You were not on this circle's roster with a voting class when voting opened."))
    ranked = election.counting == Counting.RANKED
    given = [int(c) for c in choices or []]
    choices = list(dict.fromkeys(given))
    if ranked and len(choices) != len(given):
        raise Invalid(gettext("Rank each candidate once."), field="choices")
    if not ranked and len(choices) > election.seats:
        raise Invalid(
            ngettext(
                "Choose at most %(seats)d candidate, one per seat.",
                "Choose at most %(seats)d candidates, one per seat.",
                election.seats,
            )
            % {"seats": election.seats},
            field="choices",
        )
    valid = set(election.candidacies.filter(withdrawn_at__isnull=True).values_list("pk", flat=True))
    if not set(choices) <= valid:
        raise Invalid(gettext("Choose among this election's candidates."), field="choices")
    if not BallotVoter.objects.filter(pk=voter.pk, has_voted=False).update(has_voted=True):
        raise Conflict(gettext("You have already voted; a ballot cannot be changed once cast."))
    # A ranked ballot keeps its order (first choice first): the order is what was chosen, not who.
    Ballot.objects.create(election=election, choices=choices if ranked else sorted(choices), weight=voter.weight)
    # The log says that someone voted, never how.
    event_record(
        organisation=election.organisation,
        actor=member,
        verb="election.voted",
        obj=election,
        circle=election.role.circle,
        details={"role": election.role.name},
    )


@transaction.atomic
def election_cancel(*, election: Election, by: Member | None, reason: str) -> Election:
    """Cancel an election under way, until its decision's deadline: once voting has closed, or the
    consent round on the candidate has reached its end, the result is due and only the close follows."""
    election = _lock_election(election)
    if not election.is_active:
        raise Conflict(
            gettext("This election is already closed.")
            if election.state == Election.State.CLOSED
            else gettext("This election is already cancelled.")
        )
    if election.deadline_passed():
        if election.method == ElectionMethod.BALLOT:
            message = gettext(
                "Voting closed on %(date)s; the result is being recorded, so the election can no longer be cancelled."
            )
            closed_at = election.voting_closes_at
        else:
            message = gettext(
                "The consent round closed on %(date)s; the result is being recorded, so the election can no longer "
                "be cancelled."
            )
            closed_at = election.proposal.closes_at
        raise Conflict(message % {"date": format_date(closed_at, election.organisation)})
    reason = clean_reason(reason, what=gettext("the election is cancelled"))
    if election.proposal and election.proposal.state in ("draft", "open"):
        proposal_withdraw(proposal=election.proposal, by=by)
    election.state, election.cancelled_at, election.cancel_reason = Election.State.CANCELLED, timezone.now(), reason
    election.save(update_fields=["state", "cancelled_at", "cancel_reason"])
    event_record(
        organisation=election.organisation,
        actor=by,
        verb="election.cancelled",
        obj=election,
        circle=election.role.circle,
        details={"role": election.role.name, "reason": reason},
    )
    return election
