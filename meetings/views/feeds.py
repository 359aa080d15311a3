"""My meetings and my calendar links, and the iCalendar feed behind a secret URL."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from circles.queries import get_circle_for
from governance.queries import get_organisation_for

from .. import ical, queries, services


@login_required
def my_meetings(request, org):
    organisation, member = get_organisation_for(request.user, org)
    return render(
        request,
        "meetings/my_meetings.html",
        {
            "organisation": organisation,
            "meetings": queries.my_upcoming(member)[:50],
            "feeds": queries.my_feeds(member),
            "now": timezone.now(),
            "nav": "meetings",
        },
    )


@never_cache
@login_required
@require_POST
def feed_create(request, org):
    """A new secret feed URL, shown once on the answer (only its hash is stored)."""
    organisation, member = get_organisation_for(request.user, org)
    circle = None
    if request.POST.get("circle"):
        circle = get_circle_for(request.user, org, request.POST["circle"])
    feed, token = services.calendar_feed_create(member=member, circle=circle)
    url = request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": token}))
    return render(
        request,
        "meetings/feed_created.html",
        {"organisation": organisation, "feed": feed, "url": url, "circle": circle, "nav": "meetings"},
    )


@login_required
@require_POST
def feed_revoke(request, org, pk):
    organisation, member = get_organisation_for(request.user, org)
    feed = queries.my_feeds(member).filter(pk=pk).first()
    if feed is None:
        raise Http404(gettext("No such calendar feed."))
    services.calendar_feed_revoke(feed=feed)
    messages.success(request, gettext("The calendar link is revoked; calendars using it stop updating."))
    return redirect("my-meetings", org=organisation.slug)


def calendar_feed(request, token):
    """The iCalendar feed behind a secret URL: no login, the token is the key."""
    feed = queries.feed_for_token(token)
    if feed is None:
        raise Http404(gettext("No such calendar."))
    services.calendar_feed_touch(feed=feed)
    series, meetings = queries.feed_content(feed)
    organisation = feed.member.organisation
    # A calendar app sends no session: the feed reads in its owner's language.
    with translation.override(feed.member.user.language or organisation.language or settings.LANGUAGE_CODE):
        if feed.circle:
            name = f"{feed.circle} · {organisation}"
        else:
            name = gettext("My meetings · %(organisation)s") % {"organisation": organisation}
        body = ical.feed_calendar(name, series, meetings, organisation.tzinfo)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
