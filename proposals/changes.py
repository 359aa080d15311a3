"""The changes a proposal carries (governance.changes): drafting them, checking them again when the
round opens, and enacting them when it passes.

Proposals own *when* a change is checked and applied; each kind (registered by the app that owns the
data) says what it means. Every check is the same three steps against the structure as it is at that
moment: the kind's `clean`, the domain rule (a circle's proposals change only that circle and its
sub-circles; the general circle may change anything), and the kind's `describe`, stored with the
change so that pages read it without asking the kind again.

Enactment happens inside the transaction that records the outcome (`_close_rounds`): the changes of
a passed round apply in order inside one savepoint; if one can no longer apply, the savepoint rolls
back (none of them applied) and the proposal is "passed, not enacted" with the reason, and its author
is told. The organisations' rows are locked first, in order, so that two rounds of one organisation
closing at the same moment enact one after the other, the second checked against the first's result.

proposals.services imports this module (and re-exports its services); this module does not import it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from circles.models import Circle
from governance.changes import (
    ChangeContext,
    ChangeInvalid,
    ChangeKind,
    change_kinds,
    description_as_json,
)
from governance.errors import Conflict, DomainError, Invalid, NotAllowed
from governance.models import Member, Organisation
from governance.services import event_record, local_time, notifications_queue, provenance_record

from .models import Change, Position, Proposal, ProposalVersion

MAX_CHANGES = 50


class ChangeRefused(Invalid):
    """A change of a proposal drafted with its changes (the API's nested `changes`, "Propose a change")
    was refused: `index` says which one, `change_field` which of its data."""

    def __init__(self, message: str, *, index: int, change_field: str | None = None):
        super().__init__(message, field="changes")
        self.index = index
        self.change_field = change_field


def _url(proposal: Proposal) -> str:
    path = reverse("proposal", kwargs={"org": proposal.organisation.slug, "pk": proposal.pk})
    return f"{settings.SITE_URL}{path}"


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("organisation", "circle", "author__user")
        .get(pk=proposal.pk)
    )


def change_context(proposal: Proposal, *, by: Member | None = None) -> ChangeContext:
    """Who decides, where, by which decision: the proposal's circle, and its author unless `by`."""
    return ChangeContext(
        organisation=proposal.organisation,
        circle=proposal.circle,
        actor=by or proposal.author,
        proposal_id=proposal.pk,
        proposal_title=proposal.title,
    )


def state_word(proposal: Proposal) -> str:
    """The proposal's state as a sentence says it ("This proposal is closed"): a word of its own to
    translate, since a language may need an article or the proposal's gender there."""
    words = {
        Proposal.State.DRAFT: pgettext("proposal state, in a sentence", "draft"),
        Proposal.State.OPEN: pgettext("proposal state, in a sentence", "open"),
        Proposal.State.CLOSED: pgettext("proposal state, in a sentence", "closed"),
        Proposal.State.WITHDRAWN: pgettext("proposal state, in a sentence", "withdrawn"),
    }
    return words[Proposal.State(proposal.state)]


def change_kind_for(key: str) -> ChangeKind:
    kind = change_kinds.get(key or "")
    if kind is None:
        raise Invalid(_("There is no kind of change called “%(kind)s”.") % {"kind": key}, field="kind")
    return kind


def kinds_by_group() -> list[tuple[str, list[ChangeKind]]]:
    """The registered kinds, grouped as the "Add a change" menu shows them, in registration order."""
    groups: dict[str, list[ChangeKind]] = {}
    for kind in change_kinds.values():
        groups.setdefault(str(kind.group), []).append(kind)
    return list(groups.items())


# The check: clean, the domain rule, describe ---------------------------------------------------


def _circle_tree(organisation_id: int) -> dict[int, int | None]:
    return dict(Circle.objects.filter(organisation_id=organisation_id).values_list("pk", "parent_id"))


def domain_check(ctx: ChangeContext, kind: ChangeKind, data: dict) -> None:
    """Refuse a change that reaches outside the deciding circle's own domain and its sub-circles (the
    general circle may change anything in its organisation)."""
    reached = [c for c in kind.circles(ctx, data) if c is not None]
    if not reached:
        return
    deciding = ctx.circle
    tree = _circle_tree(ctx.organisation.pk)
    for circle in reached:
        pk = getattr(circle, "pk", circle)
        if pk not in tree:
            raise ChangeInvalid(_("This change reaches a circle of another organisation."))
        if deciding.is_general:
            continue
        seen, at = set(), pk
        while at is not None and at != deciding.pk and at not in seen:
            seen.add(at)
            at = tree.get(at)
        if at != deciding.pk:
            name = getattr(circle, "name", None) or Circle.objects.filter(pk=pk).values_list("name", flat=True).first()
            raise ChangeInvalid(
                _(
                    "“%(circle)s” is outside the domain of “%(deciding)s”: a circle's proposals change only "
                    "the circle itself and its sub-circles. Propose it in a circle that holds it."
                )
                % {"circle": name, "deciding": deciding.name}
            )


def change_check(ctx: ChangeContext, kind: ChangeKind, data: dict) -> tuple[dict, dict]:
    """The data cleaned by its kind and the description (as stored), or ChangeInvalid."""
    if not isinstance(data, dict):
        raise ChangeInvalid(_("A change's data is a set of named values."))
    cleaned = kind.clean(ctx, data)
    domain_check(ctx, kind, cleaned)
    return cleaned, description_as_json(kind.describe(ctx, cleaned))


def _invalid(error: ChangeInvalid | DomainError) -> Invalid:
    return Invalid(error.message, field=error.field)


def _may_edit(proposal: Proposal, by: Member, *, now) -> None:
    """Changes are edited by the proposal's author: in a draft; in an open round before its deadline
    (as an amendment, which restarts the round); or after a passed round could not be enacted, before
    re-opening it."""
    if by is None or by.pk != proposal.author_id:
        raise NotAllowed(_("Only the proposal's author changes what it proposes."))
    if proposal.state == Proposal.State.DRAFT or proposal.passed_not_enacted:
        return
    if proposal.is_open and not proposal.deadline_passed(now):
        return
    raise Conflict(_("This proposal is %(state)s; its changes are what was decided.") % {"state": state_word(proposal)})


def _after_edit(proposal: Proposal, *, by: Member, note: str, now) -> None:
    if proposal.is_open:
        round_restart(proposal, by=by, title=proposal.title, body=proposal.body, change_note=note, now=now)


# Drafting --------------------------------------------------------------------------------------


@transaction.atomic
def change_add(*, proposal: Proposal, by: Member, kind: str, data: dict) -> Change:
    """Add a change of `kind` to a proposal, checked against the structure as it is now. In an open
    round, it amends the proposal: a new version, and the round restarts."""
    proposal, now = _lock(proposal), timezone.now()
    _may_edit(proposal, by, now=now)
    change_kind = change_kind_for(kind)
    if proposal.changes.count() >= MAX_CHANGES:
        raise Conflict(_("A proposal carries at most %(n)s changes; split it.") % {"n": MAX_CHANGES})
    try:
        cleaned, description = change_check(change_context(proposal, by=by), change_kind, data)
    except ChangeInvalid as error:
        raise _invalid(error) from error
    last = proposal.changes.order_by("-ordinal").values_list("ordinal", flat=True).first() or 0
    change = Change.objects.create(
        proposal=proposal, ordinal=last + 1, kind=kind, data=cleaned, description=description, created_at=now
    )
    event_record(
        organisation=proposal.organisation,
        actor=by,
        verb="change.added",
        obj=proposal,
        circle=proposal.circle,
        details={"change": change.pk, "kind": kind, "summary": description["summary"]},
    )
    _after_edit(proposal, by=by, note=_("Added: %(s)s") % {"s": description["summary"]}, now=now)
    return change


@transaction.atomic
def change_update(*, change: Change, by: Member, data: dict) -> Change:
    """Replace a change's data (same kind), checked again."""
    proposal, now = _lock(change.proposal), timezone.now()
    change = Change.objects.get(pk=change.pk)
    _may_edit(proposal, by, now=now)
    try:
        cleaned, description = change_check(change_context(proposal, by=by), change_kind_for(change.kind), data)
    except ChangeInvalid as error:
        raise _invalid(error) from error
    change.data, change.description, change.error = cleaned, description, ""
    change.save(update_fields=["data", "description", "error"])
    event_record(
        organisation=proposal.organisation,
        actor=by,
        verb="change.updated",
        obj=proposal,
        circle=proposal.circle,
        details={"change": change.pk, "kind": change.kind, "summary": description["summary"]},
    )
    _after_edit(proposal, by=by, note=_("Changed: %(s)s") % {"s": description["summary"]}, now=now)
    return change


@transaction.atomic
def change_remove(*, change: Change, by: Member) -> None:
    """Take a change out of the proposal. What it was stays in the event log."""
    proposal, now = _lock(change.proposal), timezone.now()
    change = Change.objects.get(pk=change.pk)
    _may_edit(proposal, by, now=now)
    summary = change.summary
    event_record(
        organisation=proposal.organisation,
        actor=by,
        verb="change.removed",
        obj=proposal,
        circle=proposal.circle,
        details={"change": change.pk, "kind": change.kind, "summary": summary, "data": change.data},
    )
    change.delete()
    _after_edit(proposal, by=by, note=_("Removed: %(s)s") % {"s": summary}, now=now)


def changes_add(*, proposal: Proposal, by: Member, changes: list[tuple[str, dict]]) -> list[Change]:
    """Add several changes to a draft, in order; a refusal says which one (ChangeRefused)."""
    added = []
    for index, (kind, data) in enumerate(changes):
        try:
            added.append(change_add(proposal=proposal, by=by, kind=kind, data=data))
        except Invalid as error:
            raise ChangeRefused(error.message, index=index, change_field=error.field) from error
    return added


def changes_check(proposal: Proposal, *, by: Member | None = None) -> int:
    """Check every change of a proposal again (the round is opening or re-opening), refreshing the
    stored descriptions; raise Invalid with the first refusal, naming the change. Returns how many."""
    changes = list(proposal.changes.order_by("ordinal"))
    ctx = change_context(proposal, by=by)
    for number, change in enumerate(changes, start=1):
        try:
            cleaned, description = change_check(ctx, change_kind_for(change.kind), change.data)
        except (ChangeInvalid, DomainError) as error:
            Change.objects.filter(pk=change.pk).update(error=error.message)
            raise Invalid(
                _("Change %(n)s (%(summary)s) cannot be made as it stands: %(reason)s")
                % {"n": number, "summary": change.summary, "reason": error.message},
                field="changes",
            ) from error
        if cleaned != change.data or description != change.description or change.error:
            change.data, change.description, change.error = cleaned, description, ""
            change.save(update_fields=["data", "description", "error"])
    return len(changes)


# Rounds restarted by an amendment --------------------------------------------------------------


def round_restart(proposal: Proposal, *, by: Member, title: str, body: str, change_note: str, now) -> ProposalVersion:
    """A new version of a proposal whose row the caller holds locked: its positions retire, the round
    restarts and every eligible member is asked again (an amendment of the text or of the changes)."""
    proposal.version += 1
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=proposal.version,
        title=title.strip(),
        body=body,
        change_note=change_note.strip()[:300],
        author=by,
    )
    Position.objects.filter(proposal=proposal, is_current=True).update(
        is_current=False, retired_at=now, retired_because="amended"
    )
    proposal.title, proposal.body, proposal.tally = version.title, body, {}
    proposal.closes_at = now + proposal.round_length
    proposal.save(update_fields=["version", "title", "body", "tally", "closes_at"])
    event_record(
        organisation=proposal.organisation,
        actor=by,
        verb="proposal.amended",
        obj=proposal,
        circle=proposal.circle,
        details={"version": version.number, "note": version.change_note},
    )
    voters = Member.objects.filter(pk__in=proposal.eligible_voters.values("member_id")).select_related("user")
    notifications_queue(
        recipients=[member.user for member in voters],
        kind="proposal_amended",
        key=f"proposal:{proposal.pk}:v{version.number}",
        organisation=proposal.organisation,
        context={
            "proposal": proposal,
            "version": version,
            "by": by,
            "closes": local_time(proposal.organisation, proposal.closes_at),
            "url": _url(proposal),
        },
    )
    return version


@transaction.atomic
def proposal_reopen(*, proposal: Proposal, by: Member) -> Proposal:
    """Re-open a round that passed but could not be enacted, after its author amended its changes:
    a new version, the same eligible members asked again, a fresh round."""
    proposal, now = _lock(proposal), timezone.now()
    if not proposal.passed_not_enacted:
        raise Conflict(_("Only a proposal that passed but could not be enacted is re-opened."))
    if by is None or by.pk != proposal.author_id:
        raise NotAllowed(_("Only the proposal's author re-opens it."))
    changes_check(proposal, by=by)
    proposal.state, proposal.outcome, proposal.closed_at = Proposal.State.OPEN, "", None
    proposal.enacted, proposal.enactment_error, proposal.enacted_at = None, "", None
    proposal.save(update_fields=["state", "outcome", "closed_at", "enacted", "enactment_error", "enacted_at"])
    round_restart(
        proposal,
        by=by,
        title=proposal.title,
        body=proposal.body,
        change_note=_("Re-opened after it could not be enacted"),
        now=now,
    )
    return proposal


# Enactment, in the closing transaction ---------------------------------------------------------


def _provenance_circle(obj, ctx: ChangeContext, reached: list):
    if isinstance(obj, Circle):
        return obj
    circle = getattr(obj, "circle", None)
    if isinstance(circle, Circle):
        return circle
    first = reached[0] if reached else ctx.circle
    return first if isinstance(first, Circle) else Circle.objects.filter(pk=first).first()


def changes_enact(proposals: list[Proposal], *, now) -> None:
    """Apply the changes of the passed rounds among `proposals` (closed, their rows locked, in the
    caller's transaction). One query when none of them carries a change."""
    passed = {p.pk: p for p in proposals if p.outcome == Proposal.Outcome.PASSED}
    if not passed:
        return
    changes: dict[int, list[Change]] = {}
    for change in Change.objects.filter(proposal_id__in=passed).order_by("proposal_id", "ordinal"):
        changes.setdefault(change.proposal_id, []).append(change)
    if not changes:
        return
    # One organisation's enactments run one after the other, each seeing what the one before did.
    organisation_ids = sorted({passed[pk].organisation_id for pk in changes})
    list(Organisation.objects.select_for_update().filter(pk__in=organisation_ids).order_by("pk").only("pk"))
    for pk in sorted(changes):
        _enact(passed[pk], changes[pk], now=now)


def _enact(proposal: Proposal, changes: list[Change], *, now) -> None:
    ctx = change_context(proposal)
    current = None
    try:
        with transaction.atomic():
            for current in changes:
                kind = change_kinds.get(current.kind)
                if kind is None:
                    raise ChangeInvalid(_("This kind of change is no longer known."))
                data = kind.clean(ctx, current.data)
                domain_check(ctx, kind, data)
                reached = [c for c in kind.circles(ctx, data) if c is not None]
                description = description_as_json(kind.describe(ctx, data))
                touched = kind.apply(ctx, data) or []
                current.description, current.applied_at, current.error = description, now, ""
                current.save(update_fields=["description", "applied_at", "error"])
                for obj in touched:
                    provenance_record(
                        ctx=ctx,
                        obj=obj,
                        change_kind=current.kind,
                        summary=description["summary"],
                        circle=_provenance_circle(obj, ctx, reached),
                        change_id=current.pk,
                    )
                event_record(
                    organisation=proposal.organisation,
                    actor=ctx.actor,
                    verb="change.applied",
                    obj=current,
                    circle=proposal.circle,
                    details={
                        "kind": current.kind,
                        "summary": description["summary"],
                        "data": current.data,
                        **ctx.event_details(),
                    },
                )
    except (ChangeInvalid, DomainError) as error:
        for change in changes:
            change.applied_at = None  # what the rolled-back savepoint undid, in memory too
        reason = _("%(summary)s: %(reason)s") % {"summary": current.summary, "reason": error.message}
        Change.objects.filter(pk=current.pk).update(error=error.message)
        proposal.enacted, proposal.enactment_error, proposal.enacted_at = False, reason, None
        Proposal.objects.filter(pk=proposal.pk).update(enacted=False, enactment_error=reason, enacted_at=None)
        event_record(
            organisation=proposal.organisation,
            actor=None,
            verb="proposal.not_enacted",
            obj=proposal,
            circle=proposal.circle,
            details={"reason": reason, "change": current.pk},
        )
        notifications_queue(
            recipients=[proposal.author.user],
            kind="proposal_not_enacted",
            key=f"proposal:{proposal.pk}:v{proposal.version}",
            organisation=proposal.organisation,
            context={"proposal": proposal, "reason": reason, "url": _url(proposal)},
        )
        return
    proposal.enacted, proposal.enactment_error, proposal.enacted_at = True, "", now
    Proposal.objects.filter(pk=proposal.pk).update(enacted=True, enactment_error="", enacted_at=now)
    event_record(
        organisation=proposal.organisation,
        actor=None,
        verb="proposal.enacted",
        obj=proposal,
        circle=proposal.circle,
        details={"changes": [c.pk for c in changes], **ctx.event_details()},
    )
