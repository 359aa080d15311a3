"""Reads for poll pages and the API: the options with their totals, in a constant number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from circles.models import Circle
from governance.models import Member
from governance.queries import object_for
from governance.rules import active_members

from .models import Poll, PollAnswer, PollOption


def get_poll_for(user, pk, *, action: str = "polls.view_poll", organisation_slug: str | None = None) -> Poll:
    return object_for(
        user,
        Poll.objects.select_related("organisation", "circle__organisation", "created_by__user", "meeting", "picked"),
        pk,
        view="polls.view_poll",
        action=action,
        organisation_slug=organisation_slug,
        what=_("poll"),
    )


def polls_visible_to(user):
    return (
        Poll.objects.filter(organisation_id__in=list(active_members(user)))
        .select_related("circle", "created_by__user", "meeting", "picked")
        .annotate(answered_count=Count("options__answers__member", distinct=True))
        .order_by("-created_at", "-pk")
    )


def poll_results(poll: Poll) -> list[dict]:
    """Each option with its totals: score (total and average), dots (total), time (yes, if need be,
    no, and who said what, as a scheduling grid shows it)."""
    options = PollOption.objects.filter(poll=poll).annotate(
        total=Sum("answers__value"),
        answered=Count("answers"),
        yes=Count("answers", filter=Q(answers__value=PollAnswer.YES)),
        if_need_be=Count("answers", filter=Q(answers__value=PollAnswer.IF_NEED_BE)),
        no=Count("answers", filter=Q(answers__value=PollAnswer.NO)),
    )
    if poll.kind == Poll.Kind.TIME:
        options = options.prefetch_related(
            Prefetch(
                "answers", queryset=PollAnswer.objects.select_related("member__user").order_by("member__user__name")
            )
        )
    rows = []
    for option in options:
        row = {
            "option": option.pk,
            "label": option.label,
            "shown": option_label(option, poll.organisation),
            "starts_at": option.starts_at,
            "total": option.total or 0,
            "answered": option.answered,
        }
        if poll.kind == Poll.Kind.SCORE:
            row["average"] = round((option.total or 0) / option.answered, 2) if option.answered else None
        if poll.kind == Poll.Kind.TIME:
            row.update(yes=option.yes, if_need_be=option.if_need_be, no=option.no)
            row["people"] = [{"name": str(a.member.user), "value": a.value} for a in option.answers.all()]
        rows.append(row)
    return rows


def option_label(option: PollOption, organisation) -> str:
    """An option as people read it: its text, or a time poll's slot written in the reader's language
    and the organisation's time zone (the stored label keeps the words it was proposed in, for the API)."""
    if option.starts_at is None:
        return option.label
    slot = pgettext("date format: weekday, day, short month, year, time", "D d M Y, H:i")
    return date_format(timezone.localtime(option.starts_at, organisation.tzinfo), slot)


def answered_count(poll: Poll) -> int:
    return PollAnswer.objects.filter(option__poll=poll).values("member").distinct().count()


def my_answers(poll: Poll, member: Member | None) -> dict[int, int]:
    if member is None:
        return {}
    return dict(PollAnswer.objects.filter(option__poll=poll, member=member).values_list("option_id", "value"))


def open_circles(organisation):
    return Circle.objects.filter(organisation=organisation, archived_at__isnull=True).order_by("-is_general", "name")
