"""Every write to proposals: drafting, opening the round, positions, amendments, withdrawal, closing,
outcome statements, comments, and the periodic sweeps.

Concurrency: every write that touches the round locks the proposal row first (`_lock`). That one
lock serialises positions, amendments and the close of one proposal, keeps the stored tally equal to
a recount, and makes the close happen once however many workers try at the same moment. Deadlines
hold without the scheduler: `position_record` itself refuses a position once `closes_at` has passed;
the sweep only finalises.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from circles.models import Circle, CircleMembership
from circles.queries import stewards_by_circle
from governance.errors import Conflict, Invalid, NotAllowed
from governance.models import Member, Organisation, User
from governance.response_cache import organisations_changed
from governance.services import (
    Message,
    event_new,
    event_record,
    events_record,
    local_time,
    notifications_queue,
    notifications_queue_many,
)
from governance.sweeps import SweepRun, sweep_each

from . import hooks, proxies
from .changes import (
    ChangeRefused,
    change_add,
    change_context,
    change_remove,
    change_update,
    changes_add,
    changes_check,
    changes_enact,
    proposal_reopen,
    round_restart,
    state_word,
)
from .models import (
    KINDS_FOR_METHOD,
    KINDS_NEEDING_REASON,
    Comment,
    EligibleVoter,
    Kind,
    Method,
    Position,
    Proposal,
    ProposalVersion,
    Threshold,
)

log = logging.getLogger(__name__)

__all__ = [  # the changes a proposal carries live in proposals.changes; their services are here too
    "ChangeRefused",
    "change_add",
    "change_context",
    "change_remove",
    "change_update",
    "changes_add",
    "changes_check",
    "proposal_reopen",
]

# Reading and shaping ---------------------------------------------------------------------------


def proposal_url(proposal: Proposal) -> str:
    path = reverse("proposal", kwargs={"org": proposal.organisation.slug, "pk": proposal.pk})
    return f"{settings.SITE_URL}{path}"


def proposal_urls(proposals) -> dict[int, str]:
    """proposal_url of many proposals, by pk. reverse() walks the whole URL configuration, which
    costs more than the rest of closing a round, so it runs twice per organisation, not per proposal."""
    urls, around = {}, {}
    for proposal in proposals:
        slug = proposal.organisation.slug
        if slug not in around:
            zero, one = (reverse("proposal", kwargs={"org": slug, "pk": pk}) for pk in (0, 1))
            at = next(i for i, (a, b) in enumerate(zip(zero, one, strict=True)) if a != b)
            around[slug] = (f"{settings.SITE_URL}{zero[:at]}", zero[at + 1 :])
        before, after = around[slug]
        urls[proposal.pk] = f"{before}{proposal.pk}{after}"
    return urls


def eligible_members(circle: Circle) -> list[Member]:
    """Who may take part in a round in this circle now: its roster (for the general circle, every
    active member), less members whose class may not vote."""
    members = Member.objects.filter(status=Member.Status.ACTIVE, membership_class__may_vote=True).select_related(
        "membership_class", "user"
    )
    if circle.is_general:
        members = members.filter(organisation_id=circle.organisation_id)
    else:
        members = members.filter(pk__in=CircleMembership.objects.current().filter(circle=circle).values("member_id"))
    return list(members)


def outcome_of(proposal: Proposal) -> str:
    """The rule of the decision method, applied to the stored tally."""
    if not proposal.quorum_met:
        return Proposal.Outcome.NO_QUORUM
    if proposal.method == Method.CONSENT:
        # Consent is the absence of objection, not agreement.
        return Proposal.Outcome.REJECTED if proposal.heads(Kind.OBJECTION) else Proposal.Outcome.PASSED
    agree, disagree = proposal.weight(Kind.AGREE), proposal.weight(Kind.DISAGREE)
    cast = agree + disagree
    if cast == 0:
        return Proposal.Outcome.REJECTED
    if proposal.threshold == Threshold.TWO_THIRDS:
        passed = agree * 3 >= cast * 2
    else:
        passed = agree * 2 > cast
    return Proposal.Outcome.PASSED if passed else Proposal.Outcome.REJECTED


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("organisation", "circle", "author__user")
        .get(pk=proposal.pk)
    )


def _tally_add(tally: dict, kind: str, weight: int, sign: int) -> None:
    heads, total = tally.get(kind, [0, 0])
    heads, total = heads + sign, total + sign * weight
    if heads:
        tally[kind] = [heads, total]
    else:
        tally.pop(kind, None)


def _check_settings(*, method, threshold, quorum_percent, title, body):
    if not (title or "").strip():
        raise Invalid(gettext("Give the proposal a title."), field="title")
    if not (body or "").strip():
        raise Invalid(gettext("Say what you propose; the body cannot be empty."), field="body")
    if method not in Method.values:
        raise Invalid(gettext("Choose consent or majority."), field="method")
    if threshold not in Threshold.values:
        raise Invalid(gettext("Choose a simple majority or two thirds."), field="threshold")
    if quorum_percent is not None and not 1 <= quorum_percent <= 100:
        raise Invalid(gettext("Quorum is a percentage between 1 and 100."), field="quorum_percent")


def _recipients(members) -> list:
    return [m.user for m in members]


# Drafting --------------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    circle: Circle,
    author: Member,
    title: str,
    body: str,
    method: str = Method.CONSENT,
    threshold: str = Threshold.SIMPLE,
    quorum_percent: int | None = None,
    anonymous: bool = False,
    hidden_results: bool = False,
    early_close: bool = False,
    round_length: timedelta | None = None,
) -> Proposal:
    """Draft a proposal in a circle. Drafts are private to their author until opened."""
    if circle.is_archived:
        raise Conflict(gettext("This circle is archived; proposals cannot be made in it."))
    quorum_percent = circle.quorum_percent if quorum_percent is None else quorum_percent  # the circle's default
    _check_settings(method=method, threshold=threshold, quorum_percent=quorum_percent, title=title, body=body)
    organisation = circle.organisation
    round_length = round_length or timedelta(days=circle.consent_round_days or organisation.consent_round_days)
    if round_length < timedelta(minutes=5):
        raise Invalid(gettext("A round lasts at least five minutes."), field="closes_at")
    proposal = Proposal.objects.create(
        organisation=organisation,
        circle=circle,
        author=author,
        title=title.strip(),
        body=body,
        method=method,
        threshold=threshold,
        quorum_percent=quorum_percent,
        anonymous=anonymous,
        # An anonymous round always hides its results until the close (see Proposal.results_hidden).
        hidden_results=hidden_results or anonymous,
        early_close=early_close,
        round_length=round_length,
    )
    ProposalVersion.objects.create(proposal=proposal, number=1, title=proposal.title, body=body, author=author)
    return proposal


@transaction.atomic
def proposal_create_with_changes(*, circle: Circle, author: Member, changes: list[tuple[str, dict]], **fields):
    """Draft a proposal with the changes it carries (kind, data), all or nothing: a refused change
    raises ChangeRefused, naming it, and no draft is saved."""
    proposal = proposal_create(circle=circle, author=author, **fields)
    changes_add(proposal=proposal, by=author, changes=changes)
    return proposal


DRAFT_FIELDS = (
    "title",
    "body",
    "method",
    "threshold",
    "quorum_percent",
    "anonymous",
    "hidden_results",
    "early_close",
    "round_length",
)


@transaction.atomic
def proposal_update_draft(*, proposal: Proposal, by: Member, **changes) -> Proposal:
    """Edit a draft. Once a round is open, the text changes only by amendment (a new version)."""
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise Invalid(gettext("Unknown field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    proposal = _lock(proposal)
    if proposal.state != Proposal.State.DRAFT:
        raise Conflict(gettext("Only a draft can be edited; amend an open proposal instead."))
    for field, value in changes.items():
        setattr(proposal, field, value)
    _check_settings(
        method=proposal.method,
        threshold=proposal.threshold,
        quorum_percent=proposal.quorum_percent,
        title=proposal.title,
        body=proposal.body,
    )
    proposal.title = proposal.title.strip()
    proposal.hidden_results = proposal.hidden_results or proposal.anonymous
    proposal.save()
    ProposalVersion.objects.filter(proposal=proposal, number=1).update(title=proposal.title, body=proposal.body)
    # Editing a draft records no event; its page's parts are kept in the response cache all the same.
    organisations_changed([proposal.organisation_id])
    return proposal


@transaction.atomic
def proposal_open(*, proposal: Proposal, by: Member, closes_at=None) -> Proposal:
    """Open the round. Eligibility is fixed now, with each member's weight: later roster changes do
    not change who may vote in this round, so the count of who has not responded stays meaningful."""
    proposal = _lock(proposal)
    if proposal.state != Proposal.State.DRAFT:
        raise Conflict(
            gettext("This proposal is %(state)s; only a draft can be opened.") % {"state": state_word(proposal)}
        )
    if proposal.circle.is_archived:
        raise Conflict(gettext("This circle is archived; proposals cannot be opened in it."))
    now = timezone.now()
    if closes_at is not None:
        if closes_at <= now + timedelta(minutes=5):
            raise Invalid(gettext("The round must close at least five minutes from now."), field="closes_at")
        proposal.round_length = closes_at - now
    # The changes it carries are checked again against the structure as it is now.
    changes_check(proposal, by=by)
    voters = eligible_members(proposal.circle)
    if not voters:
        raise Conflict(gettext("Nobody in this circle may vote yet; add members with a voting class first."))
    EligibleVoter.objects.bulk_create(
        [EligibleVoter(proposal=proposal, member=m, weight=m.membership_class.voting_weight) for m in voters]
    )
    proposal.state = Proposal.State.OPEN
    proposal.opened_at = now
    proposal.closes_at = now + proposal.round_length
    proposal.tally = {}
    proposal.eligible_count = len(voters)
    proposal.eligible_weight = sum(m.membership_class.voting_weight for m in voters)
    proposal.save()
    event_record(
        organisation=proposal.organisation,
        actor=by,
        verb="proposal.opened",
        obj=proposal,
        circle=proposal.circle,
        details={"closes_at": proposal.closes_at.isoformat(), "eligible": proposal.eligible_count},
    )
    notifications_queue(
        recipients=_recipients(voters),
        kind="proposal_opened",
        key=f"proposal:{proposal.pk}",
        organisation=proposal.organisation,
        context={
            "proposal": proposal,
            "closes": local_time(proposal.organisation, proposal.closes_at),
            "url": proposal_url(proposal),
        },
    )
    return proposal


# Positions -------------------------------------------------------------------------------------


@transaction.atomic
def position_record(
    *,
    proposal: Proposal,
    member: Member,
    kind: str,
    reason: str = "",
    by: Member | None = None,
    keep_reason_as_note: bool = False,
) -> Position:
    """Record or change a member's position. Sending the same position again changes nothing.

    Changing a concern or an objection to a kind that needs no reason (consent, abstain) drops the
    reason it carried, sent again unchanged (a form shows it pre-filled), unless the member asks to
    keep it as a note (`keep_reason_as_note`): a stale objection's reason must not read as the
    reason of a consent. A text written anew with the consent is the member's note and is kept.

    `by` is a proxy holder responding for `member` (proposals.proxies): the proxy must be in force now,
    the position counts with the member's own eligibility and weight, and once the member has
    responded themselves in this version of the round, the holder can no longer change it."""
    proposal = _lock(proposal)
    now = timezone.now()
    if proposal.state != Proposal.State.OPEN:
        raise Conflict(
            gettext("This proposal is %(state)s; positions are no longer taken.") % {"state": state_word(proposal)}
        )
    if proposal.deadline_passed(now):
        closed_at = local_time(proposal.organisation, proposal.closes_at)
        raise Conflict(gettext("The round closed at %(time)s; positions are no longer taken.") % {"time": closed_at})
    voter = EligibleVoter.objects.filter(proposal=proposal, member=member).first()
    if voter is None:
        raise NotAllowed(gettext("You were not on this circle's roster with a voting class when the round opened."))
    if not member.is_active:
        raise NotAllowed(gettext("You have left the organisation and can no longer take part."))
    holder = by if by is not None and by.pk != member.pk else None
    proxy = None
    if holder is not None:
        proxy = proxies.proxy_in_force(proposal=proposal, grantor=member, holder=holder)
        if Position.objects.filter(
            proposal=proposal, member=member, version=proposal.version, by_proxy__isnull=True
        ).exists():
            raise Conflict(
                gettext("%(member)s has responded themselves; their own position stands.")
                % {"member": member.user.display_name}
            )
    if kind not in KINDS_FOR_METHOD[Method(proposal.method)]:
        allowed = ", ".join(KINDS_FOR_METHOD[Method(proposal.method)])
        sentence = (
            gettext("For a consent, choose one of: %(kinds)s.")
            if proposal.method == Method.CONSENT
            else gettext("For a majority vote, choose one of: %(kinds)s.")
        )
        raise Invalid(sentence % {"kinds": allowed}, field="kind")
    reason = (reason or "").strip()
    if kind in KINDS_NEEDING_REASON and not reason:
        sentence = (
            gettext("An objection needs a reason, so that it can be worked with.")
            if kind == Kind.OBJECTION
            else gettext("A concern needs a reason, so that it can be worked with.")
        )
        raise Invalid(sentence, field="reason")
    current = Position.objects.filter(proposal=proposal, member=member, is_current=True).first()
    if (
        current
        and current.kind in KINDS_NEEDING_REASON
        and kind not in KINDS_NEEDING_REASON
        and _same_text(reason, current.reason)
        and not keep_reason_as_note
    ):
        reason = ""
    if (
        current
        and current.kind == kind
        and current.reason == reason
        and current.by_proxy_id == getattr(holder, "pk", None)
    ):
        return current
    if current:
        Position.objects.filter(pk=current.pk).update(is_current=False, retired_at=now, retired_because="changed")
        _tally_add(proposal.tally, current.kind, current.weight, -1)
    position = Position.objects.create(
        proposal=proposal,
        member=member,
        version=proposal.version,
        kind=kind,
        reason=reason,
        weight=voter.weight,
        created_at=now,
        proxy=proxy,
        by_proxy=holder,
    )
    _tally_add(proposal.tally, kind, voter.weight, +1)
    proposal.save(update_fields=["tally"])
    _position_event(proposal, member=member, holder=holder, details={"kind": kind})
    # Under hidden results the proposer learns of objections at the close, like everyone else.
    if kind == Kind.OBJECTION and not proposal.results_hidden:
        notifications_queue(
            recipients=[proposal.author.user],
            kind="objection_raised",
            key=f"position:{position.pk}",
            organisation=proposal.organisation,
            context={"proposal": proposal, "member": member, "reason": reason, "url": proposal_url(proposal)},
        )
    if _ready_for_early_close(proposal):
        _close_rounds([proposal], now=now)
    return position


def _same_text(a: str, b: str) -> bool:
    """Whether two texts are the same but for line endings (a browser sends CRLF, an API client LF)."""
    return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")


def _position_event(proposal: Proposal, *, member: Member, holder: Member | None, details: dict) -> None:
    """The event of a position. Until the close of a round with hidden results it says that someone
    responded, never how; an anonymous round never says who (not even after the close, when the
    counts by kind are out and who-responded would give positions away)."""
    if holder is not None:
        details = {**details, "member": member.user.display_name, "by_proxy": holder.user.display_name}
    if proposal.results_hidden:
        details = {key: value for key, value in details.items() if key in ("member", "by_proxy")}
    if proposal.anonymous:
        details = {}
    event_record(
        organisation=proposal.organisation,
        actor=None if proposal.anonymous else (holder or member),
        verb="position.recorded",
        obj=proposal,
        circle=proposal.circle,
        details=details,
    )


def _ready_for_early_close(proposal: Proposal) -> bool:
    """Everyone asked has responded and nobody objects. With hidden results, everyone has responded,
    whatever they said: a round left open once all have responded would tell that someone objects."""
    if not proposal.early_close or proposal.responded_count < proposal.eligible_count:
        return False
    return proposal.results_hidden or not proposal.heads(Kind.OBJECTION)


@transaction.atomic
def objection_withdraw(*, proposal: Proposal, member: Member) -> Position:
    """The objector withdraws their objection; they are asked for their position again."""
    proposal = _lock(proposal)
    if proposal.state != Proposal.State.OPEN or proposal.deadline_passed():
        raise Conflict(gettext("This round is closed; the objection stands as recorded."))
    current = Position.objects.filter(proposal=proposal, member=member, is_current=True).first()
    if current is None or current.kind != Kind.OBJECTION:
        raise Conflict(gettext("You have no standing objection on this proposal."))
    Position.objects.filter(pk=current.pk).update(
        is_current=False, retired_at=timezone.now(), retired_because="withdrawn"
    )
    _tally_add(proposal.tally, current.kind, current.weight, -1)
    proposal.save(update_fields=["tally"])
    if proposal.results_hidden:
        # "Objection withdrawn" would tell there was one: logged like any change of position.
        _position_event(proposal, member=member, holder=None, details={})
    else:
        event_record(
            organisation=proposal.organisation,
            actor=member,
            verb="objection.withdrawn",
            obj=proposal,
            circle=proposal.circle,
        )
    current.refresh_from_db()
    return current


# Amending, withdrawing, closing ----------------------------------------------------------------


@transaction.atomic
def proposal_amend(*, proposal: Proposal, by: Member, title: str, body: str, change_note: str = "") -> ProposalVersion:
    """Amend an open proposal: a new version that restarts the round, so everyone is asked again.
    Earlier versions and the positions taken on them are kept."""
    proposal = _lock(proposal)
    if proposal.state != Proposal.State.OPEN:
        raise Conflict(gettext("Only an open proposal can be amended."))
    now = timezone.now()
    if proposal.deadline_passed(now):
        raise Conflict(gettext("The round has closed; it can no longer be amended."))
    _check_settings(
        method=proposal.method,
        threshold=proposal.threshold,
        quorum_percent=proposal.quorum_percent,
        title=title,
        body=body,
    )
    if title.strip() == proposal.title and body == proposal.body:
        raise Invalid(gettext("The amendment changes nothing; edit the title or the text."), field="body")
    return round_restart(proposal, by=by, title=title, body=body, change_note=change_note, now=now)


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, by: Member | None) -> Proposal:
    """Withdraw a draft, or an open round before its deadline. After the deadline the round has an
    outcome to record, whether or not the sweep has recorded it yet, and withdrawing would dodge it."""
    proposal = _lock(proposal)
    if proposal.state not in (Proposal.State.DRAFT, Proposal.State.OPEN):
        raise Conflict(gettext("This proposal is already %(state)s.") % {"state": state_word(proposal)})
    if proposal.state == Proposal.State.OPEN and proposal.deadline_passed():
        closed_at = local_time(proposal.organisation, proposal.closes_at)
        raise Conflict(
            gettext("The round closed at %(time)s; its outcome is being recorded, so it can no longer be withdrawn.")
            % {"time": closed_at}
        )
    was_open = proposal.state == Proposal.State.OPEN
    proposal.state, proposal.withdrawn_at = Proposal.State.WITHDRAWN, timezone.now()
    proposal.save(update_fields=["state", "withdrawn_at"])
    # A withdrawn draft records no event, yet everyone may now see it in the lists.
    organisations_changed([proposal.organisation_id])
    if was_open:
        event_record(
            organisation=proposal.organisation,
            actor=by,
            verb="proposal.withdrawn",
            obj=proposal,
            circle=proposal.circle,
        )
    hooks.round_withdrawn(proposal)
    return proposal


def proposal_close(*, proposal_id: int, now=None) -> bool:
    """Close one due proposal in its own transaction. Returns False if it was not open or not due
    (already closed by another worker, say), so running the sweep twice or on two workers at once
    yields exactly one outcome."""
    now = now or timezone.now()
    with transaction.atomic():
        proposal = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("organisation", "circle", "author__user")
            .filter(pk=proposal_id, state=Proposal.State.OPEN, closes_at__lte=now)
            .first()
        )
        if proposal is None:
            return False
        _close_rounds([proposal], now=now)
        return True


def _close_rounds(proposals: list[Proposal], *, now) -> None:
    """Finalise rounds whose rows the caller holds locked, in the caller's transaction: the outcome
    from the stored tally, one 'proposal.closed' event and one 'proposal_closed' message to each
    eligible voter and the proposer per round, and what other apps do when a round closes.

    The single close (proposal_close, the early close, the admin) and the sweep's batches all come
    here, so they cannot drift apart. The queries do not grow with the batch: one update per
    outcome, one insert of events, one read of the eligible voters, one insert of messages."""
    if not proposals:
        return
    by_outcome: dict[str, list[int]] = {}
    for proposal in proposals:
        proposal.state, proposal.closed_at, proposal.outcome = Proposal.State.CLOSED, now, outcome_of(proposal)
        by_outcome.setdefault(proposal.outcome, []).append(proposal.pk)
    # One UPDATE for the whole batch, each round's outcome chosen by its id.
    outcome = Case(*(When(pk__in=pks, then=Value(outcome)) for outcome, pks in by_outcome.items()))
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(
        state=Proposal.State.CLOSED, closed_at=now, outcome=outcome
    )
    events_record(
        events=[
            event_new(
                organisation=proposal.organisation,
                actor=None,
                verb="proposal.closed",
                obj=proposal,
                circle=proposal.circle,
                details={"outcome": proposal.outcome, "tally": proposal.tally},
            )
            for proposal in proposals
        ]
    )
    # The changes passed rounds carry apply now, in this transaction (or none of a round's do).
    changes_enact(proposals, now=now)
    voters: dict[int, set[int]] = {proposal.pk: {proposal.author.user_id} for proposal in proposals}
    for proposal_id, user_id in EligibleVoter.objects.filter(proposal__in=voters).values_list(
        "proposal_id", "member__user_id"
    ):
        voters[proposal_id].add(user_id)
    users = User.objects.only("email", "language").in_bulk({user_id for ids in voters.values() for user_id in ids})
    urls = proposal_urls(proposals)
    notifications_queue_many(
        messages=[
            message
            for proposal in proposals
            for message in Message.render(
                recipients=[users[user_id] for user_id in voters[proposal.pk]],
                kind="proposal_closed",
                key=f"proposal:{proposal.pk}",
                organisation=proposal.organisation,
                context={"proposal": proposal, "url": urls[proposal.pk]},
            )
        ]
    )
    # What the rounds decide elsewhere (a sociocratic selection seats its candidate), in this transaction.
    hooks.round_closed(proposals)


@transaction.atomic
def outcome_write(*, proposal: Proposal, by: Member, statement: str, review_date=None) -> Proposal:
    """The proposer or the steward states what was decided, optionally with a review date. A later
    rewrite keeps the earlier statement in the event log."""
    proposal = _lock(proposal)
    if proposal.state != Proposal.State.CLOSED:
        raise Conflict(gettext("The outcome statement is written after the round closes."))
    statement = (statement or "").strip()
    if not statement:
        raise Invalid(gettext("Write what was decided."), field="statement")
    if review_date is not None and review_date <= timezone.localdate():
        raise Invalid(gettext("A review date lies in the future."), field="review_date")
    previous = {"statement": proposal.outcome_statement, "review_date": str(proposal.review_date or "")}
    proposal.outcome_statement, proposal.review_date, proposal.outcome_by = statement, review_date, by
    proposal.save(update_fields=["outcome_statement", "review_date", "outcome_by"])
    event_record(
        organisation=proposal.organisation,
        actor=by,
        verb="proposal.outcome_written",
        obj=proposal,
        circle=proposal.circle,
        details={"previous": previous} if previous["statement"] else {},
    )
    return proposal


@transaction.atomic
def comment_add(*, proposal: Proposal, author: Member, body: str, is_question: bool = False) -> Comment:
    if proposal.state == Proposal.State.DRAFT:
        raise Conflict(gettext("Comments open with the round."))
    body = (body or "").strip()
    if not body:
        raise Invalid(gettext("Write a comment first."), field="body")
    comment = Comment.objects.create(proposal=proposal, author=author, body=body, is_question=is_question)
    event_record(
        organisation=proposal.organisation,
        actor=author,
        verb="proposal.question_asked" if is_question else "proposal.commented",
        obj=proposal,
        circle=proposal.circle,
    )
    return comment


# Sweeps (run by Celery beat; each is safe to run twice, late, or on two workers) ---------------


CLOSE_BATCH = settings.SWEEP_BATCH  # rounds claimed and closed in one transaction
# How many batches one sweep closes at once, each on a thread and connection of its own. One: about
# half of closing a batch is Python (the messages' templates) and half the database's work, and
# threads take turns at the interpreter. Measured on this project's benchmark machine, two threads
# in one process closed fewer rounds a second than one on a database in use for an hour (1,059
# against 1,274) and more on a freshly seeded one (1,480 against 1,247); two processes sharing a
# backlog closed twice as many as one (2,058 and 2,103), and two threads in each of them fewer
# (1,852). So a backlog is shared between processes (proposals.tasks.proposals_close_due,
# sweeps_to_share), each sweeping on one thread. More threads may pay where the database is far
# away (a thread then waits for its answers while another works).
CLOSE_WORKERS = 1


def sweeps_to_share(*, processes: int, now=None, batch_size: int | None = None) -> int:
    """How many more sweeps a closing sweep should queue for the worker's other processes: one per
    batch due beyond the first, at most `processes` - 1. One query, which counts no further than
    that many batches (the index on state and deadline). None but on PostgreSQL: SQLite (`make
    run`'s) lets one writer at a time, so a second sweep would only wait for the first."""
    if processes <= 1 or connection.vendor != "postgresql":
        return 0
    now, batch_size = now or timezone.now(), batch_size or CLOSE_BATCH
    due = Proposal.objects.filter(state=Proposal.State.OPEN, closes_at__lte=now).order_by()
    found = due[: processes * batch_size].count()
    return min(processes - 1, max(0, -(-found // batch_size) - 1))


def proposals_close_due(
    *, now=None, limit: int = 20000, batch_size: int = CLOSE_BATCH, workers: int = CLOSE_WORKERS
) -> int:
    """Close every due round, a batch at a time. Each batch is claimed in its own transaction with
    SKIP LOCKED, so two workers sweeping at once share the work instead of waiting on each other,
    and a round being written to right now is left for the next batch or tick. Returns how many
    rounds this call closed; running it twice closes nothing twice.

    The sweep is itself `workers` such sweepers at once: threads with a connection each, sharing
    the limit, as two workers fed by two schedulers share a backlog. Inside a transaction it sweeps
    alone, on the caller's connection (another connection would not see what the caller wrote), and
    so it does on a database other than PostgreSQL.

    A round that cannot be closed never holds up the others, of its organisation or any other: when
    a batch fails, its rounds are closed one at a time, each in its own savepoint, and the one that
    fails is recorded (governance.sweeps), left out of the claims while it waits for its retry, and
    reported to the site admins."""
    now = now or timezone.now()
    claims = _Claims(limit)
    # Only PostgreSQL lets two connections claim at once (SKIP LOCKED); SQLite would make the second
    # writer wait for the first (`make run`'s database sweeps alone).
    if workers <= 1 or connection.in_atomic_block or connection.vendor != "postgresql":
        runs = [_close_due(now=now, claims=claims, batch_size=batch_size)]
    else:
        stop = threading.Event()

        def sweeper() -> SweepRun:
            try:
                return _close_due(now=now, claims=claims, batch_size=batch_size, stop=stop)
            finally:
                connections.close_all()  # this thread's own

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="proposals_close_due") as pool:
            # Each thread runs in a copy of the caller's context: its language, the site admin acting.
            sweepers = [pool.submit(contextvars.copy_context().run, sweeper) for _ in range(workers)]
            try:
                runs = [future.result() for future in sweepers]
            except BaseException:
                stop.set()  # out of time, or a sweeper failed outside its batches: the others stop after theirs
                raise
    # One report for the call, whatever number of sweepers made it.
    run = SweepRun("proposals_close_due", now=now)
    run.done, run.failed, run.held = (sum(getattr(r, count) for r in runs) for count in ("done", "failed", "held"))
    run.report()
    return run.done


class _Claims:
    """How many rounds the sweepers of one call may still claim, shared between them."""

    def __init__(self, limit: int):
        self.left = limit
        self._lock = threading.Lock()

    def take(self, size: int) -> int:
        with self._lock:
            taken = min(size, self.left)
            self.left -= taken
            return taken

    def give_back(self, size: int) -> None:
        with self._lock:
            self.left += size


def _close_due(*, now, claims: _Claims, batch_size: int, stop: threading.Event | None = None) -> SweepRun:
    """One sweeper: claim and close batches until none is left (or the limit or `stop` is reached)."""
    run = SweepRun("proposals_close_due", now=now)
    while stop is None or not stop.is_set():
        size = claims.take(batch_size)
        if not size:
            break
        batch = _close_due_batch(run=run, size=size)
        claims.give_back(size - batch)
        if not batch:
            break
    return run


@transaction.atomic
def _close_due_batch(*, run: SweepRun, size: int) -> int:
    # Rounds held back after failing, as recorded now rather than when the run began (SweepRun.held_ids).
    due = Proposal.objects.filter(state=Proposal.State.OPEN, closes_at__lte=run.now).exclude(
        pk__in=run.held_ids(Proposal)
    )
    # The claim locks and returns ids alone: with many rounds due at once, the rows are sorted to
    # find the first `size`, and sorting whole rows (their text) spills to disk. Then the claimed
    # rows are read by their primary key.
    claimed = list(
        due.select_for_update(skip_locked=True).order_by("closes_at", "pk").values_list("pk", flat=True)[:size]
    )
    if not claimed:
        return 0
    batch = list(Proposal.objects.filter(pk__in=claimed).order_by("closes_at", "pk"))
    _attach_related(batch)
    # A round retried after failing goes alone, so that it does not make a whole batch fail again.
    retried = [proposal for proposal in batch if run.has_failed(proposal)]
    together = [proposal for proposal in batch if not run.has_failed(proposal)]
    try:
        with transaction.atomic():
            _close_rounds(together, now=run.now)
    except Exception:
        log.warning("Closing a batch of %s rounds failed; closing them one at a time.", len(together), exc_info=True)
        retried = batch
    else:
        run.done += len(together)
    run.each(retried, lambda proposal: _close_rounds([proposal], now=run.now))
    return len(batch)


def _attach_related(proposals: list[Proposal]) -> None:
    """Give a batch its organisations, circles and authors, each row read once: a batch has a few
    of each, which select_related would read, send and build again for every round."""
    organisations = Organisation.objects.in_bulk({p.organisation_id for p in proposals})
    circles = Circle.objects.in_bulk({p.circle_id for p in proposals})
    authors = Member.objects.in_bulk({p.author_id for p in proposals})
    for proposal in proposals:
        proposal.organisation = organisations[proposal.organisation_id]
        proposal.circle = circles[proposal.circle_id]
        proposal.author = authors[proposal.author_id]


def proposals_remind_closing_soon(*, now=None) -> int:
    """Remind, once per version, the eligible members who have not responded to a round closing soon."""
    now = now or timezone.now()
    horizon = now + timedelta(hours=settings.PROPOSAL_CLOSING_SOON_HOURS)
    proposals = Proposal.objects.filter(
        state=Proposal.State.OPEN, closes_at__gt=now, closes_at__lte=horizon
    ).select_related("organisation", "circle")

    def remind(proposal: Proposal) -> int:
        waiting = (
            Member.objects.filter(pk__in=proposal.eligible_voters.values("member_id"), status=Member.Status.ACTIVE)
            .exclude(pk__in=Position.objects.filter(proposal=proposal, is_current=True).values("member_id"))
            .select_related("user")
        )
        return notifications_queue(
            recipients=_recipients(waiting),
            kind="proposal_closing_soon",
            key=f"proposal:{proposal.pk}:v{proposal.version}",
            organisation=proposal.organisation,
            context={
                "proposal": proposal,
                "closes": local_time(proposal.organisation, proposal.closes_at),
                "url": proposal_url(proposal),
            },
        )

    return sweep_each(proposals, remind, sweep="proposals_remind_closing_soon", now=now).total


def proposals_remind_review(*, today=None) -> int:
    """Tell the proposer and the circle's steward when an agreement is due for review."""
    today = today or timezone.localdate()
    due = list(
        Proposal.objects.filter(state=Proposal.State.CLOSED, review_date__lte=today).select_related(
            "organisation", "circle", "author__user"
        )
    )
    stewards = stewards_by_circle({p.circle_id for p in due})

    def remind(proposal: Proposal) -> int:
        recipients = {proposal.author.user}
        if proposal.circle_id in stewards:
            recipients.add(stewards[proposal.circle_id].user)
        return notifications_queue(
            recipients=list(recipients),
            kind="agreement_review",
            key=f"proposal:{proposal.pk}:{proposal.review_date}",
            organisation=proposal.organisation,
            context={"proposal": proposal, "url": proposal_url(proposal)},
        )

    return sweep_each(due, remind, sweep="proposals_remind_review").total
