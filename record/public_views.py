"""The open record's pages and Atom feeds, readable without an account. Each asks record.public for
the part the organisation opened (404 otherwise, as for an organisation that does not exist)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from governance.markdown import render_markdown

from . import public
from .search import plain

PAGE = 50


def open_index(request, org):
    organisation, settings = public.open_organisation(org)
    return render(request, "record/open/index.html", {"org": organisation, "settings": settings})


def open_decisions(request, org):
    organisation, settings = public.open_organisation(org, part="public_decisions")
    page = Paginator(public.public_decisions(organisation), PAGE).get_page(request.GET.get("page"))
    return render(request, "record/open/decisions.html", {"org": organisation, "settings": settings, "page": page})


def open_log(request, org):
    organisation, settings = public.open_organisation(org, part="public_log")
    page = Paginator(public.public_log(organisation, settings), PAGE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.label = public.verb_label(event.verb)
    return render(request, "record/open/log.html", {"org": organisation, "settings": settings, "page": page})


def open_roles(request, org):
    organisation, settings = public.open_organisation(org, part="public_roles")
    context = {"org": organisation, "settings": settings, "circles": public.public_roles(organisation)}
    return render(request, "record/open/roles.html", context)


def open_minutes(request, org):
    organisation, settings = public.open_organisation(org, part="public_minutes")
    page = Paginator(public.public_minutes(organisation), PAGE).get_page(request.GET.get("page"))
    return render(request, "record/open/minutes.html", {"org": organisation, "settings": settings, "page": page})


def open_minutes_detail(request, org, pk):
    organisation, settings = public.open_organisation(org, part="public_minutes")
    minutes = get_object_or_404(public.public_minutes(organisation), pk=pk)
    context = {"org": organisation, "settings": settings, "minutes": minutes, "body": render_markdown(minutes.body)}
    return render(request, "record/open/minutes_detail.html", context)


class _OpenFeed(Feed):
    """One instance serves every request: what belongs to a request travels on the objects."""

    feed_type = Atom1Feed
    part = ""

    def _tagged(self, items, organisation):
        items = list(items)
        for item in items:
            item.org_slug = organisation.slug
        return items

    def get_object(self, request, org):
        organisation, settings = public.open_organisation(org, part=self.part)
        organisation.open_settings = settings
        return organisation

    def link(self, organisation):
        return reverse("open-index", kwargs={"org": organisation.slug})


class DecisionsFeed(_OpenFeed):
    part = "public_decisions"

    def title(self, organisation):
        return _("Decisions of %(name)s") % {"name": organisation.name}

    def items(self, organisation):
        return self._tagged(public.public_decisions(organisation)[: public.LIMIT], organisation)

    def item_title(self, item):
        return f"{item.title} — {item.get_outcome_display()}"

    def item_description(self, item):
        return plain(item.outcome_statement) or item.get_outcome_display()

    def item_link(self, item):
        return reverse("open-decisions", kwargs={"org": item.org_slug}) + f"#d{item.pk}"

    def item_pubdate(self, item):
        return item.closed_at


class LogFeed(_OpenFeed):
    part = "public_log"

    def title(self, organisation):
        return _("Council log of %(name)s") % {"name": organisation.name}

    def items(self, organisation):
        return self._tagged(public.public_log(organisation, organisation.open_settings)[: public.LIMIT], organisation)

    def item_title(self, item):
        return f"{public.verb_label(item.verb)}: {item.object_repr}"

    def item_description(self, item):
        return item.circle.name if item.circle else ""

    def item_link(self, item):
        return reverse("open-log", kwargs={"org": item.org_slug}) + f"#e{item.pk}"

    def item_pubdate(self, item):
        return item.created_at


class MinutesFeed(_OpenFeed):
    part = "public_minutes"

    def title(self, organisation):
        return _("Minutes of %(name)s") % {"name": organisation.name}

    def items(self, organisation):
        return self._tagged(public.public_minutes(organisation)[: public.LIMIT], organisation)

    def item_title(self, item):
        return f"{item.meeting.title} ({item.meeting.circle.name})"

    def item_description(self, item):
        return plain(item.body)[:500]

    def item_link(self, item):
        return reverse("open-minutes-detail", kwargs={"org": item.org_slug, "pk": item.pk})

    def item_pubdate(self, item):
        return item.published_at
