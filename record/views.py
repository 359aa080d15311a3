"""The record's pages for members: the health dashboard, participation and the leaderboard, the
election history, search, the open record's settings, export and erasure, term summaries, and the
size guidance. Each parses, fetches and checks, reads or calls one service, and renders."""

from __future__ import annotations

from pathlib import Path

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circles.models import Circle
from circles.queries import get_circle_for
from governance import response_cache
from governance.errors import DomainError
from governance.exports import csv_response
from governance.forms import add_domain_error
from governance.markdown import render_markdown
from governance.queries import get_organisation_for, member_in, object_for
from governance.search import search_kinds

from . import charts, export, history, participation, services
from .forms import (
    EraseForm,
    HistoryFilterForm,
    PeriodForm,
    PreferenceForm,
    RecordSettingsForm,
    ScopeForm,
    SearchForm,
    SummaryDraftForm,
    SummaryForm,
    day_start,
)
from .health import health_of, load, record_settings
from .models import ParticipationPreference, TermSummary
from .search import search as run_search

DOCS = Path(settings.BASE_DIR) / "docs"


def _circles(organisation):
    return list(Circle.objects.active().filter(organisation=organisation).order_by("-is_general", "name"))


def _chosen_circle(circles, slug):
    if not slug:
        return None
    found = next((c for c in circles if c.slug == slug), None)
    if found is None:
        raise Http404("No such circle.")
    return found


def health_charts(figures: dict) -> dict:
    months = figures["decisions"]["per_month"]
    load_rows = [(r["name"], r["hours_per_week"], r["flag_hours"]) for r in figures["load"][:20]]
    return {
        "decisions": charts.bar_chart(
            title=_("Decisions per month"),
            description=_("Rounds closed each month over the last twelve months, passed and not passed."),
            labels=[m["month"][2:] for m in months],
            series=[
                (_("passed"), "bar-a", [m["passed"] for m in months]),
                (_("not passed"), "bar-b", [m["other"] for m in months]),
            ],
        ),
        "load": charts.hbar_chart(
            title=_("Role load, hours a week"),
            description=_("Hours a week of the roles each member holds now; the line is the flag."),
            rows=load_rows,
            mark=figures["thresholds"]["hours_flag"],
        ),
        "sizes": charts.hbar_chart(
            title=_("Circle sizes"),
            description=_("People on each circle's roster; those outside the guidance stand out."),
            rows=[(c["circle"], c["size"], bool(c["outside"])) for c in figures["circle_sizes"]],
            mark=figures["thresholds"]["circle_size_max"],
        ),
    }


def _figures_and_charts(organisation, circle, computed: dict):
    """The dashboard's figures and charts as the page keeps them in the response cache: without the
    load's rows (one per person), which only the load table reads, and that table is a shared part
    cached as HTML of its own. Read on every request, the rows were a dict per person to unpickle
    and then keep until the garbage collector came round (a template's context is a reference
    cycle), which raised a worker's memory with every page served. `computed` keeps the rows for
    the request that counted them."""
    figures = health_of(organisation, circle=circle)
    charts_ = health_charts(figures)
    computed["load"] = figures.pop("load")
    return figures, charts_


@login_required
def health(request, org):
    organisation, me = get_organisation_for(request.user, org, action="record.view_health")
    circles = _circles(organisation)
    form = ScopeForm(request.GET or None, circles=circles)
    circle = _chosen_circle(circles, form.cleaned_data.get("circle") if form.is_valid() else None)
    computed = {}
    figures, charts_ = response_cache.remember(
        "health-page",
        organisation.pk,
        # What the figures count changes only by a write, which gives the organisation a new version;
        # what is due or ending changes with the clock too, so they are counted again each minute.
        (circle.pk if circle else None, get_language(), timezone.now().replace(second=0, microsecond=0)),
        lambda: _figures_and_charts(organisation, circle, computed),
    )

    def load_rows():
        # Called by the template only when the load table's shared part is not in the cache.
        if "load" not in computed:
            hours_flag = figures["thresholds"]["hours_flag"]
            computed["load"] = load(organisation, circle=circle, now=figures["until"], hours_flag=hours_flag)
        return computed["load"]

    context = {
        "organisation": organisation,
        "me": me,
        "form": form,
        "circle": circle,
        "figures": figures,
        "load_rows": load_rows,
        "charts": charts_,
        "nav": "health",
    }
    return render(request, "record/health.html", context)


def _period(form, organisation, circle):
    """The term chosen in the form, or the circle's latest term."""
    tz = organisation.tzinfo
    data = form.cleaned_data if form.is_valid() else {}
    terms = participation.terms_of(circle, organisation)
    since, until = terms[0].since, terms[0].until
    if data.get("since"):
        since = day_start(data["since"], tz)
    if data.get("until"):
        until = day_start(data["until"], tz) + timezone.timedelta(days=1)
    return since, until, terms


@login_required
def participation_page(request, org):
    organisation, me = get_organisation_for(request.user, org, action="record.view_participation")
    circles = _circles(organisation)
    form = PeriodForm(request.GET or None, circles=circles)
    circle = _chosen_circle(circles, form.cleaned_data.get("circle") if form.is_valid() else None)
    since, until, terms = _period(form, organisation, circle)
    figures = participation.participation(organisation, circle=circle, since=since, until=until)
    rows = participation.leaderboard(figures, viewer=me)
    context = {
        "organisation": organisation,
        "me": me,
        "form": form,
        "circle": circle,
        "terms": terms,
        "since": since,
        "until": until,
        "rows": rows,
        "unlisted": len(figures["rows"]) - len(rows),
        "totals": figures["totals"],
        "nav": "participation",
    }
    return render(request, "record/participation.html", context)


@login_required
def participation_me(request, org):
    organisation, me = get_organisation_for(request.user, org)
    pref = ParticipationPreference.objects.filter(member=me).first()
    form = PreferenceForm(
        request.POST or None, initial={"hide_from_leaderboard": bool(pref and pref.hide_from_leaderboard)}
    )
    if request.method == "POST" and form.is_valid():
        services.leaderboard_preference_set(member=me, hidden=form.cleaned_data["hide_from_leaderboard"])
        messages.success(request, _("Your choice is saved."))
        return redirect("record-participation-me", org=organisation.slug)
    since, until, _terms = _period(PeriodForm(), organisation, None)
    figures = participation.participation(organisation, circle=None, since=since, until=until)
    mine = next((r for r in figures["rows"] if r.member_id == me.pk), None)
    context = {
        "organisation": organisation,
        "me": me,
        "form": form,
        "row": mine,
        "since": since,
        "until": until,
        "nav": "participation",
    }
    return render(request, "record/participation_me.html", context)


@login_required
def election_history(request, org):
    organisation, _me = get_organisation_for(request.user, org)
    circles = _circles(organisation)
    form = HistoryFilterForm(request.GET or None, circles=circles)
    data = form.cleaned_data if form.is_valid() else {}
    entries = history.election_history(
        organisation,
        circle=_chosen_circle(circles, data.get("circle")),
        state=data.get("state") or "",
        method=data.get("method") or "",
        year=data.get("year"),
    )
    if request.GET.get("format") == "csv":
        return csv_response(f"{organisation.slug}-elections.csv", history.CSV_HEADER, history.csv_rows(entries))
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "organisation": organisation,
        "form": form,
        "entries": entries,
        "query": query.urlencode(),
        "nav": "elections",
    }
    return render(request, "record/election_history.html", context)


@login_required
def search(request, org):
    organisation, _me = get_organisation_for(request.user, org, action="record.search")
    circles = _circles(organisation)
    kinds = [(key, kind.label) for key, kind in search_kinds.items()]
    form = SearchForm(request.GET or None, circles=circles, kinds=kinds)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        results = run_search(
            request.user,
            organisation,
            data["q"],
            kinds=[data["kind"]] if data.get("kind") else None,
            circle=_chosen_circle(circles, data.get("circle")),
        )
    context = {"organisation": organisation, "form": form, "results": results, "kinds": dict(kinds), "nav": "search"}
    return render(request, "record/search.html", context)


@login_required
def record_settings_page(request, org):
    organisation, me = get_organisation_for(request.user, org, action="record.change_settings")
    current = record_settings(organisation)
    form = RecordSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_settings_save(
                organisation=organisation, by=me, **{k: form.cleaned_data[k] for k in services.SETTINGS_FIELDS}
            )
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("The open record's settings are saved."))
            return redirect("record-settings", org=organisation.slug)
    context = {"organisation": organisation, "form": form, "settings": current, "nav": "settings"}
    return render(request, "record/settings.html", context)


@login_required
def export_page(request, org):
    organisation, me = get_organisation_for(request.user, org)
    context = {"organisation": organisation, "me": me, "nav": "export"}
    return render(request, "record/export.html", context)


def _zip(filename, chunks):
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def export_organisation(request, org):
    organisation, _me = get_organisation_for(request.user, org, action="record.export_organisation")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return _zip(f"{organisation.slug}-{stamp}.zip", export.organisation_export(organisation))


@login_required
@require_POST
def export_mine(request, org):
    organisation, me = get_organisation_for(request.user, org)
    return _zip(f"{organisation.slug}-my-data.zip", export.member_export(me))


@login_required
def member_erase(request, org, pk):
    organisation, me = get_organisation_for(request.user, org, action="record.erase_member")
    member = member_in(organisation, pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure = services.member_erase(member=member, by=me)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Erased: they now appear as %(name)s.") % {"name": erasure.pseudonym})
            return redirect("members", org=organisation.slug)
    context = {"organisation": organisation, "member": member, "form": form, "nav": "members"}
    return render(request, "record/member_erase.html", context)


@login_required
def circle_summaries(request, org, circle):
    circle = get_circle_for(request.user, org, circle)
    organisation = circle.organisation
    may_draft = rules.test_rule("record.draft_summary", request.user, circle)
    form = SummaryDraftForm(request.POST or None)
    if request.method == "POST":
        if not may_draft:
            raise PermissionDenied(_("Only the circle's steward or secretary, or an admin, drafts its summaries."))
        if form.is_valid():
            tz = organisation.tzinfo
            try:
                summary = services.term_summary_draft(
                    circle=circle,
                    since=day_start(form.cleaned_data["since"], tz),
                    until=day_start(form.cleaned_data["until"], tz),
                    by=get_organisation_for(request.user, org)[1],
                )
            except DomainError as e:
                add_domain_error(form, e)
            else:
                messages.success(request, _("A draft summary is ready to edit."))
                return redirect("record-summary", org=organisation.slug, pk=summary.pk)
    summaries = TermSummary.objects.filter(circle=circle).order_by("-period_end", "-pk")
    if not may_draft:
        summaries = summaries.filter(state=TermSummary.State.PUBLISHED)
    context = {
        "organisation": organisation,
        "circle": circle,
        "summaries": summaries,
        "form": form,
        "may_draft": may_draft,
        "terms": participation.terms_of(circle, organisation),
        "nav": "circles",
    }
    return render(request, "record/circle_summaries.html", context)


def get_summary_for(user, org, pk, *, action=None) -> TermSummary:
    return object_for(
        user,
        TermSummary.objects.select_related("circle__organisation", "organisation", "published_by__user"),
        pk,
        view="record.view_summary",
        action=action,
        organisation_slug=org,
        what="summary",
    )


@login_required
def summary_detail(request, org, pk):
    summary = get_summary_for(request.user, org, pk)
    organisation, me = get_organisation_for(request.user, org)
    may_change = rules.test_rule("record.change_summary", request.user, summary)
    form = SummaryForm(request.POST or None, instance=summary) if may_change else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("This summary cannot be edited by you, or any more."))
        if form.is_valid():
            try:
                services.term_summary_update(summary=summary, by=me, **form.cleaned_data)
            except DomainError as e:
                add_domain_error(form, e)
            else:
                messages.success(request, _("The summary is saved."))
                return redirect("record-summary", org=org, pk=summary.pk)
    context = {
        "organisation": organisation,
        "summary": summary,
        "form": form,
        "may_publish": rules.test_rule("record.publish_summary", request.user, summary),
        "body": render_markdown(summary.body),
        "nav": "circles",
    }
    return render(request, "record/summary.html", context)


@login_required
@require_POST
def summary_publish(request, org, pk):
    summary = get_summary_for(request.user, org, pk, action="record.publish_summary")
    _organisation, me = get_organisation_for(request.user, org)
    try:
        services.term_summary_publish(summary=summary, by=me)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The summary is published."))
    return redirect("record-summary", org=org, pk=summary.pk)


def size_guidance(request):
    """The docs page the dashboard links to when an organisation grows past its split size, in the
    reader's language where it is written in it (docs/size-guidance.<language>.md), else in English."""
    translated = DOCS / f"size-guidance.{translation.get_language()}.md"
    text = (translated if translated.is_file() else DOCS / "size-guidance.md").read_text(encoding="utf-8")
    return render(request, "record/doc.html", {"body": render_markdown(text), "title": _("When to split")})
