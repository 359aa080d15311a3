"""Every write of the record app: the open record's settings, a member's leaderboard preference,
term summaries (draft, edit, publish, and the sweep that drafts them when a term ends), and the
erasure of a member at their request."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from circles.models import Circle
from governance.errors import Conflict, Invalid
from governance.models import Event, Invitation, Member, Notification, Organisation, User
from governance.services import event_record, member_remove
from governance.services.events import plain
from meetings.models import Tension
from proposals.models import Proposal
from roles.models import Election, Role, RoleAssignment

from .export import governance_models
from .hooks import money_spent
from .models import PUBLIC_VERBS, Erasure, ParticipationPreference, RecordSettings, TermSummary
from .participation import participation

SETTINGS_FIELDS = (
    "public_decisions",
    "public_log",
    "public_log_verbs",
    "public_roles",
    "public_minutes",
    "split_size",
    "hours_flag",
)


@transaction.atomic
def record_settings_save(*, organisation: Organisation, by: Member | None, **values) -> RecordSettings:
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise Invalid(_("Unknown settings: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    verbs = values.get("public_log_verbs")
    if verbs is not None and any(v not in PUBLIC_VERBS for v in verbs):
        raise Invalid(_("Only these events may be public: %(verbs)s.") % {"verbs": ", ".join(PUBLIC_VERBS)})
    if "split_size" in values and values["split_size"] < 2:
        raise Invalid(_("The split guidance size must be at least 2."))
    if "hours_flag" in values and Decimal(values["hours_flag"]) <= 0:
        raise Invalid(_("The hours flag must be more than 0."))
    settings, _created = RecordSettings.objects.select_for_update().get_or_create(organisation=organisation)
    changes = {}
    for name, value in values.items():
        before = getattr(settings, name)
        if before != value:
            changes[name] = {"before": plain(before), "after": plain(value)}
            setattr(settings, name, value)
    if changes:
        settings.updated_at = timezone.now()
        settings.save()
        event_record(
            organisation=organisation,
            actor=by,
            verb="record_settings.updated",
            obj=settings,
            details={"changes": changes},
        )
    return settings


@transaction.atomic
def leaderboard_preference_set(*, member: Member, hidden: bool) -> ParticipationPreference:
    pref, _created = ParticipationPreference.objects.select_for_update().get_or_create(member=member)
    if pref.hide_from_leaderboard != hidden:
        pref.hide_from_leaderboard, pref.updated_at = hidden, timezone.now()
        pref.save(update_fields=["hide_from_leaderboard", "updated_at"])
    return pref


# Term summaries ------------------------------------------------------------------------------


def summary_figures(circle: Circle, since: datetime, until: datetime) -> dict:
    """What a term summary is drafted from: the decisions, elections, participation, open tensions
    and money (through the money_spent hook) of the circle's term."""
    organisation = circle.organisation
    decided = list(
        Proposal.objects.filter(circle=circle, state=Proposal.State.CLOSED, closed_at__gte=since, closed_at__lt=until)
        .order_by("closed_at", "pk")
        .values("pk", "title", "outcome", "closed_at")
    )
    elections = list(
        Election.objects.filter(
            role__circle=circle, state=Election.State.CLOSED, closed_at__gte=since, closed_at__lt=until
        )
        .select_related("role")
        .order_by("closed_at", "pk")
    )
    elected_ids = {pk for e in elections for pk in e.results.get("elected", [])}
    names = dict(Member.objects.filter(pk__in=elected_ids).values_list("pk", "user__name"))
    tensions = list(
        Tension.objects.filter(circle=circle, created_at__lt=until)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=until))
        .order_by("created_at", "pk")
        .values("pk", "title")
    )
    people = participation(organisation, circle=circle, since=since, until=until)
    totals = people["totals"]
    return {
        "decisions": [
            {"id": d["pk"], "title": d["title"], "outcome": d["outcome"], "closed_at": d["closed_at"].isoformat()}
            for d in decided
        ],
        "elections": [
            {
                "id": e.pk,
                "role": e.role.name,
                "elected": [names.get(pk) or "" for pk in e.results.get("elected", [])],
            }
            for e in elections
        ],
        "open_tensions": [{"id": t["pk"], "title": t["title"]} for t in tensions],
        "participation": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in totals.items()},
        "money": [row for rows in money_spent.collect(organisation, circle, since, until) for row in rows],
    }


def _day(moment: datetime, organisation: Organisation) -> str:
    """A day as the organisation's language writes it (1 Dec 2026, 1 décembre 2026…), in its time zone."""
    return date_format(timezone.localtime(moment, organisation.tzinfo), "DATE_FORMAT")


def _summary_body(circle: Circle, since: datetime, until: datetime, figures: dict) -> str:
    day = lambda moment: _day(moment, circle.organisation)  # noqa: E731
    lines = [
        _("Term of %(circle)s from %(since)s to %(until)s.")
        % {"circle": circle.name, "since": day(since), "until": day(until)},
        "",
    ]
    outcome = dict(Proposal.Outcome.choices)
    lines.append("## " + _("Decisions"))
    lines += [f"- {d['title']} — {outcome.get(d['outcome'], d['outcome'])}" for d in figures["decisions"]] or [
        "- " + _("No decisions this term.")
    ]
    lines += ["", "## " + _("Elections")]
    lines += [
        f"- {e['role']}: " + (", ".join(n for n in e["elected"] if n) or _("nobody seated"))
        for e in figures["elections"]
    ] or ["- " + _("No elections this term.")]
    p = figures["participation"]
    lines += [
        "",
        "## " + _("Participation"),
        _(
            "- %(members)s members; %(responded)s of %(eligible)s responses to rounds; %(proposals)s proposals; "
            "%(objections)s objections, %(integrated)s integrated; %(attended)s attendances; "
            "%(on_time)s of %(actions)s actions done on time."
        )
        % {
            "members": p["members"],
            "responded": p["responded"],
            "eligible": p["eligible"],
            "proposals": p["proposals"],
            "objections": p["objections"],
            "integrated": p["objections_integrated"],
            "attended": p["meetings_attended"],
            "on_time": p["actions_on_time"],
            "actions": p["actions"],
        },
    ]
    if figures["money"]:
        lines += ["", "## " + _("Money spent")]
        lines += [f"- {m['category']}: {m['amount']} {m.get('currency', '')}".rstrip() for m in figures["money"]]
    lines += ["", "## " + _("Open tensions carried over")]
    lines += [f"- {t['title']}" for t in figures["open_tensions"]] or ["- " + _("None.")]
    return "\n".join(lines) + "\n"


@transaction.atomic
def term_summary_draft(*, circle: Circle, since: datetime, until: datetime, by: Member | None) -> TermSummary:
    """Draft the summary of the circle's term [since, until) from the record. A term has one summary:
    drafting it again refreshes a draft, and refuses once it is published."""
    if until <= since:
        raise Invalid(_("A term ends after it starts."))
    existing = (
        TermSummary.objects.select_for_update().filter(circle=circle, period_start=since, period_end=until).first()
    )
    if existing is not None and existing.is_published:
        raise Conflict(_("The summary of this term is published; it is kept as it is."))
    figures = summary_figures(circle, since, until)
    # Written for the whole circle to read and edit: in the organisation's language, whoever drafts it.
    with translation.override(circle.organisation.language):
        title = _("%(circle)s: term ending %(until)s") % {
            "circle": circle.name,
            "until": _day(until, circle.organisation),
        }
        body = _summary_body(circle, since, until, figures)
    now = timezone.now()
    if existing is None:
        summary = TermSummary.objects.create(
            organisation=circle.organisation,
            circle=circle,
            period_start=since,
            period_end=until,
            title=title[:200],
            body=body,
            figures=figures,
            drafted_by=by,
            drafted_at=now,
            updated_at=now,
        )
    else:
        summary = existing
        summary.title, summary.body, summary.figures, summary.updated_at = title[:200], body, figures, now
        summary.save(update_fields=["title", "body", "figures", "updated_at"])
    event_record(
        organisation=circle.organisation, actor=by, verb="term_summary.drafted", obj=summary, circle=circle, details={}
    )
    return summary


@transaction.atomic
def term_summary_update(*, summary: TermSummary, by: Member, title: str, body: str) -> TermSummary:
    summary = TermSummary.objects.select_for_update().get(pk=summary.pk)
    if summary.is_published:
        raise Conflict(_("This summary is published; it is kept as it is."))
    title, body = " ".join(title.split())[:200], body.strip()
    if not title or not body:
        raise Invalid(_("A summary needs a title and a text."))
    changes = {}
    for name, value in (("title", title), ("body", body)):
        if getattr(summary, name) != value:
            changes[name] = {"before": getattr(summary, name), "after": value}
            setattr(summary, name, value)
    if changes:
        summary.updated_at = timezone.now()
        summary.save(update_fields=["title", "body", "updated_at"])
        event_record(
            organisation=summary.organisation,
            actor=by,
            verb="term_summary.updated",
            obj=summary,
            circle=summary.circle,
            details={"changes": dict.fromkeys(changes, "changed")},
        )
    return summary


@transaction.atomic
def term_summary_publish(*, summary: TermSummary, by: Member) -> TermSummary:
    changed = TermSummary.objects.filter(pk=summary.pk, state=TermSummary.State.DRAFT).update(
        state=TermSummary.State.PUBLISHED, published_at=timezone.now(), published_by=by
    )
    if not changed:
        raise Conflict(_("This summary is already published."))
    summary.refresh_from_db()
    event_record(
        organisation=summary.organisation,
        actor=by,
        verb="term_summary.published",
        obj=summary,
        circle=summary.circle,
        details={},
    )
    return summary


def term_summaries_draft_due(*, now: datetime | None = None, days: int = 7) -> int:
    """The sweep: for each steward term of a circle that ended (or reached its planned end) in the last
    `days` days, draft the circle's term summary if it has none. Safe to run twice: a term has one
    summary (a unique constraint), and one that exists is left alone."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    ended = RoleAssignment.objects.filter(role__kind=Role.Kind.STEWARD, role__circle__archived_at__isnull=True).filter(
        Q(ended_at__gte=since, ended_at__lte=now)
        | Q(ended_at__isnull=True, planned_end_at__gte=since, planned_end_at__lte=now)
    )
    made = 0
    for term in ended.select_related("role__circle__organisation").order_by("pk"):
        end = term.ended_at or term.planned_end_at
        circle = term.role.circle
        if (
            end <= term.started_at
            or TermSummary.objects.filter(circle=circle, period_start=term.started_at, period_end=end).exists()
        ):
            continue
        term_summary_draft(circle=circle, since=term.started_at, until=end, by=None)
        made += 1
    return made


# Erasure -------------------------------------------------------------------------------------

TEXT_FIELDS = (models.CharField, models.TextField)


def _replacer(needles: list[str], pseudonym: str):
    pattern = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)), re.IGNORECASE)
    return lambda text: pattern.sub(pseudonym, text)


def _scrub_everywhere(needles: list[str], pseudonym: str, *, skip: set) -> int:
    """Replace each needle (the person's name and email) in every text and JSON column of every
    governance table. Written with update(), past save(): the event log refuses saves on purpose, and
    an erasure is the one change it must take."""
    replace = _replacer(needles, pseudonym)
    json_replace = _replacer([json.dumps(n)[1:-1] for n in needles], json.dumps(pseudonym)[1:-1])
    changed = 0
    for model in governance_models():
        for field in model._meta.concrete_fields:
            if (model, field.name) in skip or field.primary_key or field.is_relation:
                continue
            if isinstance(field, models.JSONField):
                condition = Q()
                for n in needles:
                    condition |= Q(_as_text__icontains=json.dumps(n)[1:-1])
                rows = model._default_manager.annotate(_as_text=Cast(field.name, models.TextField())).filter(condition)
                for pk, value in rows.values_list("pk", field.name):
                    new = json.loads(json_replace(json.dumps(value)))
                    changed += model._default_manager.filter(pk=pk).update(**{field.name: new})
            elif isinstance(field, TEXT_FIELDS) and not field.choices:
                condition = Q()
                for n in needles:
                    condition |= Q(**{f"{field.name}__icontains": n})
                for pk, value in model._default_manager.filter(condition).values_list("pk", field.name):
                    changed += model._default_manager.filter(pk=pk).update(
                        **{field.name: replace(value)[: field.max_length or None]}
                    )
    return changed


@transaction.atomic
def member_erase(*, member: Member, by: Member) -> Erasure:
    """Erase a member at their request: their name and email are replaced by a pseudonym everywhere
    (their account, invitations, emails, the event log, any text or figure that quoted them), their
    membership ends and their tokens are revoked. The record stays whole: their positions, terms,
    proposals and attendance keep their rows, now under the pseudonym, so tallies still recount."""
    member = Member.objects.select_for_update().select_related("user", "organisation").get(pk=member.pk)
    if hasattr(member, "erasure"):
        raise Conflict(_("This member was already erased."))
    if member.pk == by.pk:
        raise Invalid(_("Ask another admin to erase you."))
    user = member.user
    elsewhere = Member.objects.filter(user=user).exclude(organisation=member.organisation)
    if elsewhere.exists():
        raise Conflict(
            _("They are also a member of another organisation: a site admin erases an account shared by organisations.")
        )
    organisation = member.organisation
    # The reason and the pseudonym are kept in the record, which the organisation reads in its language.
    with translation.override(organisation.language):
        reason = _("Erased at their request")
        pseudonym = _("Former member %(code)s") % {"code": uuid.uuid4().hex[:6]}
    if member.is_active:
        member_remove(member=member, by=by, reason=reason)
        member.refresh_from_db()
    needles = [n for n in {user.name.strip(), user.email} if n]
    if not user.name:
        needles.append(user.display_name)
    skip = {(User, "email"), (User, "name"), (User, "password")}
    changed = _scrub_everywhere(needles, pseudonym, skip=skip)
    erased_email = f"erased-{uuid.uuid4().hex[:12]}@erased.invalid"
    Invitation.objects.filter(email__iexact=user.email).update(email=erased_email)
    Notification.objects.filter(email__iexact=user.email).update(email=erased_email)
    user.name, user.email, user.is_active = pseudonym, erased_email, False
    user.set_unusable_password()
    user.save(update_fields=["name", "email", "is_active", "password"])
    user.emailaddress_set.all().delete()  # allauth's copies of the address: not a governance record
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    Event.objects.filter(object_type="member", object_id=member.pk).update(object_repr=pseudonym)
    erasure = Erasure.objects.create(
        organisation=organisation, member=member, pseudonym=pseudonym, erased_by=by, rows_changed=changed
    )
    event_record(
        organisation=organisation, actor=by, verb="member.erased", obj=erasure, details={"pseudonym": pseudonym}
    )
    return erasure
