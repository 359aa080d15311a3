"""Template helpers: `|markdown` for member-written text, `|in_zone` for moments, and readable lines
for the event log."""

import re
from dataclasses import dataclass
from datetime import datetime

from django import template
from django.db.models import QuerySet
from django.templatetags.tz import do_timezone
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from governance import response_cache
from governance.activity import GROUP_PHRASES, events_grouped, object_links
from governance.inbox import inbox_cached
from governance.markdown import render_markdown
from governance.rules import member_for

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render Markdown to sanitised HTML: `{{ circle.purpose|markdown }}`."""
    return render_markdown(text)


# The Content-Security-Policy allows no style attributes, so a width or an offset in percent is one of
# the classes w-0…w-100 and at-0…at-100 of static/css/percentages.css, and a depth in the circle tree
# one of depth-0…depth-12 of app.css.


@register.filter
def percent(value) -> int:
    """A share in whole percent, 0 to 100: `class="w-{{ kind.weight_percent|percent }}"`."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    return max(0, min(100, round(number)))


@register.filter
def at_most(value, limit) -> int:
    """The value, or the limit if it is higher: `depth-{{ node.depth|at_most:12 }}`."""
    return min(int(value), int(limit))


@register.filter
def in_zone(value, zone):
    """Django's `|timezone`, for a moment a person entered: one so close to the end of time (or its
    start) that the zone would push it past year 9999 stays in UTC rather than failing the page.
    Such moments are refused now (governance.dates), but rows from before may hold one."""
    try:
        return do_timezone(value, zone)
    except OverflowError:
        return do_timezone(value, "UTC")


# How each event reads. {actor} is who did it (“Someone” when the system did), {circle} a link to
# the circle, {object} what the event is about; the other names come from the details services record.
EVENT_PHRASES = {
    "organisation.created": gettext_lazy("{actor} created the organisation"),
    "organisation.updated": gettext_lazy("{actor} changed the organisation’s settings"),
    "membership_class.created": gettext_lazy("{actor} added the membership class “{object}”"),
    "membership_class.updated": gettext_lazy("{actor} changed the membership class “{object}”"),
    "member.joined": gettext_lazy("{member} joined the organisation"),
    "member.rejoined": gettext_lazy("{member} rejoined the organisation"),
    "member.updated": gettext_lazy("{actor} changed {member}’s membership"),
    "member.left": gettext_lazy("{actor} recorded that {member} left"),
    "invitation.created": gettext_lazy("{actor} invited {email}"),
    "invitation.accepted": gettext_lazy("{actor} accepted an invitation and joined"),
    "invitation.revoked": gettext_lazy("{actor} revoked an invitation"),
    "invitation.resent": gettext_lazy("{actor} sent the invitation of {email} again"),
    "circle.created": gettext_lazy("{actor} created the circle {circle}"),
    "circle.updated": gettext_lazy("{actor} updated the description of {circle}"),
    "circle.moved": gettext_lazy("{actor} moved {circle} to another parent"),
    "circle.archived": gettext_lazy("{actor} archived {circle}"),
    "circle.restored": gettext_lazy("{actor} restored {circle}"),
    "roster.added": gettext_lazy("{actor} added {member} to {circle}"),
    "roster.removed": gettext_lazy("{actor} took {member} off {circle}"),
    "role.assigned": gettext_lazy("{actor} made {member} {role} of {circle}"),
    "role.ended": gettext_lazy("{actor} ended {member}’s term as {role}"),
    "proposal.opened": gettext_lazy("{actor} opened the proposal “{object}” in {circle}"),
    "proposal.amended": gettext_lazy("{actor} amended the proposal “{object}”"),
    "proposal.withdrawn": gettext_lazy("{actor} withdrew the proposal “{object}”"),
    "proposal.closed": gettext_lazy("The round on “{object}” closed"),
    "proposal.outcome_written": gettext_lazy("{actor} wrote the outcome of “{object}”"),
    "proposal.commented": gettext_lazy("{actor} commented on “{object}”"),
    "proposal.question_asked": gettext_lazy("{actor} asked a question about “{object}”"),
    "position.recorded": gettext_lazy("{actor} responded to “{object}”"),
    "objection.withdrawn": gettext_lazy("{actor} withdrew an objection to “{object}”"),
    "proxy.given": gettext_lazy("{actor} gave {member} a proxy"),
    "proxy.revoked": gettext_lazy("{actor} ended the proxy held by {member}"),
    "proxy.ended": gettext_lazy("The proxy held by {member} ended"),
    "role_template.updated": gettext_lazy("{actor} changed the template of a core role"),
    "role.created": gettext_lazy("{actor} defined the role {role} in {circle}"),
    "role.updated": gettext_lazy("{actor} changed the role {role} in {circle}"),
    "role.archived": gettext_lazy("{actor} archived the role {role} in {circle}"),
    "role.restored": gettext_lazy("{actor} restored the role {role} in {circle}"),
    "role.vacant": gettext_lazy("{role} of {circle} became vacant"),
    "role.term_ending": gettext_lazy("{member}’s term as {role} of {circle} ends soon"),
    "election.opened": gettext_lazy("{actor} opened an election of {role} in {circle}"),
    "election.nominated": gettext_lazy("{actor} nominated {member} as {role}"),
    "election.proposed": gettext_lazy("{actor} proposed {member} as {role}"),
    "election.candidacy": gettext_lazy("{member} stood for {role}"),
    "election.candidacy_withdrawn": gettext_lazy("{member} withdrew from the election of {role}"),
    "election.voting_opened": gettext_lazy("Voting opened in the election of {role}"),
    "election.voted": gettext_lazy("{actor} voted in the election of {role}"),
    "election.not_consented": gettext_lazy("The circle did not consent to the candidate for {role}"),
    "election.closed": gettext_lazy("The election of {role} in {circle} closed"),
    "election.cancelled": gettext_lazy("{actor} cancelled the election of {role}"),
    "meeting.scheduled": gettext_lazy("{actor} scheduled “{object}” in {circle}"),
    "meeting.updated": gettext_lazy("{actor} changed the meeting “{object}”"),
    "meeting.cancelled": gettext_lazy("{actor} cancelled the meeting “{object}”"),
    "meeting_series.created": gettext_lazy("{actor} set up the regular meeting “{object}” in {circle}"),
    "meeting_series.updated": gettext_lazy("{actor} changed the regular meeting “{object}”"),
    "meeting_series.rescheduled": gettext_lazy("{actor} rescheduled the regular meeting “{object}”"),
    "meeting_series.ended": gettext_lazy("{actor} ended the regular meeting “{object}”"),
    "meeting_settings.updated": gettext_lazy("{actor} changed the meeting settings"),
    "agenda.item_added": gettext_lazy("{actor} added an item to the agenda of “{object}”"),
    "agenda.item_removed": gettext_lazy("{actor} took an item off the agenda of “{object}”"),
    "agenda.published": gettext_lazy("{actor} published the agenda of “{object}”"),
    "attendance.recorded": gettext_lazy("{actor} recorded attendance at “{object}”"),
    "meeting.replied": gettext_lazy("{actor} said whether they will come to “{object}”"),
    "minutes.published": gettext_lazy("{actor} published the minutes of “{object}”"),
    "minutes.corrected": gettext_lazy("{actor} corrected the minutes of “{object}”"),
    "tension.raised": gettext_lazy("{actor} raised a tension in {circle}: “{object}”"),
    "tension.resolved": gettext_lazy("{actor} resolved the tension “{object}”"),
    "tension.proposed": gettext_lazy("{actor} turned the tension “{object}” into a proposal"),
    "tension.reopened": gettext_lazy("The tension “{object}” is open again: its proposal was withdrawn"),
    "action_item.created": gettext_lazy("{actor} added the action “{object}”"),
    "action_item.updated": gettext_lazy("{actor} updated the action “{object}”"),
    "integration.created": gettext_lazy("{actor} connected the integration “{object}”"),
    "integration.rights_changed": gettext_lazy(
        "The integration “{object}” now acts with {acts_as} rights, following {member}"
    ),
    "webhook.registered": gettext_lazy("{actor} registered a webhook"),
    "webhook.updated": gettext_lazy("{actor} changed a webhook"),
    "webhook.enabled": gettext_lazy("{actor} enabled a webhook"),
    "webhook.disabled": gettext_lazy("A webhook was disabled"),
    "webhook.removed": gettext_lazy("{actor} removed a webhook"),
    "change.added": gettext_lazy("{actor} added a change to the proposal “{object}”"),
    "change.updated": gettext_lazy("{actor} changed a change of the proposal “{object}”"),
    "change.removed": gettext_lazy("{actor} took a change off the proposal “{object}”"),
    "change.applied": gettext_lazy("A decision changed “{object}”"),
    "proposal.enacted": gettext_lazy("The decision “{object}” was enacted"),
    "proposal.not_enacted": gettext_lazy("The decision “{object}” passed but could not be enacted"),
    "circle.settings_updated": gettext_lazy("{actor} changed the proposal settings of {circle}"),
    "circle_meeting_settings.updated": gettext_lazy("{actor} changed the meeting settings of {circle}"),
    "working_group.created": gettext_lazy("{actor} started the working group “{object}”"),
    "working_group.extended": gettext_lazy("{actor} extended the working group “{object}”"),
    "working_group.ending": gettext_lazy("The working group “{object}” ends soon"),
    "council.linked": gettext_lazy("{actor} made “{object}” the council its election seats"),
    "council.seated": gettext_lazy("A term began: “{object}” seats its elected member"),
    "council.unseated": gettext_lazy("A term ended: “{object}” unseats a member"),
    "election.nomination_accepted": gettext_lazy("A nominee answered their nomination for “{object}”"),
    "poll.opened": gettext_lazy("{actor} opened the poll “{object}”"),
    "poll.answered": gettext_lazy("{actor} answered the poll “{object}”"),
    "poll.closed": gettext_lazy("{actor} closed the poll “{object}”"),
    "fund.created": gettext_lazy("{actor} created the fund “{object}”"),
    "income.recorded": gettext_lazy("{actor} recorded income to “{object}”"),
    "budget.created": gettext_lazy("{actor} created the budget “{object}”"),
    "budget.allocated": gettext_lazy("A decision gave the budget “{object}” its money"),
    "budget.released": gettext_lazy("{actor} released unspent money of “{object}” to its fund"),
    "category.created": gettext_lazy("{actor} added the spending category “{object}”"),
    "spending.created": gettext_lazy("{actor} proposed the spending “{object}”"),
    "spending.committed": gettext_lazy("The spending “{object}” was committed"),
    "attachment.added": gettext_lazy("{actor} attached a file to “{object}”"),
    "payment.recorded": gettext_lazy("{actor} recorded a payment of “{object}”"),
    "commitment.returned": gettext_lazy("{actor} returned what was left of “{object}”"),
    "entry.reversed": gettext_lazy("{actor} reversed a ledger entry of “{object}”"),
    "round.opened": gettext_lazy("{actor} opened the participatory round “{object}”"),
    "bucket.created": gettext_lazy("{actor} proposed the bucket “{object}”"),
    "round.finalised": gettext_lazy("The participatory round “{object}” was finalised"),
    "term_summary.drafted": gettext_lazy("{actor} drafted the term summary “{object}”"),
    "term_summary.updated": gettext_lazy("{actor} edited the term summary “{object}”"),
    "term_summary.published": gettext_lazy("{actor} published the term summary “{object}”"),
    "record_settings.updated": gettext_lazy("{actor} changed what the organisation shows in the open"),
    "member.erased": gettext_lazy("{actor} erased a member at their request"),
}


@register.simple_tag
def event_text(event, organisation):
    """One event as a sentence: “Ben Laurent added Grace Mensah to Finance”."""
    details = event.details if isinstance(event.details, dict) else {}
    if event.actor_id:
        actor = format_html("<strong>{}</strong>", event.actor.user.display_name)
    elif details.get("site_admin"):
        actor = format_html(_("{name} (site admin)"), name=format_html("<strong>{}</strong>", details["site_admin"]))
    else:
        actor = format_html("<strong>{}</strong>", _("Someone"))
    if event.circle_id:
        url = reverse("circle", kwargs={"org": organisation.slug, "circle": event.circle.slug})
        circle = format_html('<a href="{}">{}</a>', url, event.circle.name)
    else:
        circle = _("a circle")
    phrase = str(EVENT_PHRASES.get(event.verb, UNKNOWN_PHRASE))
    return format_html(
        phrase,
        actor=actor,
        circle=circle,
        object=event.object_repr,
        verb=event.verb.replace(".", " ").replace("_", " "),
        **_detail_names(details),
    )


# What an event's sentence says when the event does not name it (who was invited, which member or role).
def _detail_names(details: dict) -> dict:
    return {
        "email": details.get("email", _("someone")),
        "member": details.get("member", _("a member")),
        "role": details.get("role", _("a role")),
        "acts_as": str(_ACTS_AS.get(str((details.get("acts_as") or [""])[-1]), pgettext_lazy("rights", "other"))),
    }


# "{object}" between quotes, whichever quotes a language uses (“…”, « … », „…“, «…»).
QUOTED_OBJECT = re.compile(r"[“«„‚‹\"]\s*\{object\}\s*[”»“‘›\"]")

# An event whose verb has no sentence of its own.
UNKNOWN_PHRASE = gettext_lazy("{actor}: {verb} “{object}”")

# The rights an integration acts with, as the log reads them (see ApiToken.bot_rights).
_ACTS_AS = {
    "admin": pgettext_lazy("rights", "an admin’s"),
    "member": pgettext_lazy("rights", "a member’s"),
    "none": pgettext_lazy("rights", "no"),
}


@register.simple_tag(takes_context=True)
def inbox_count(context, organisation) -> int | None:
    """How many things wait for the signed-in member in this organisation, for the navigation, when
    the page has read the inbox already (the home page, the inbox): it costs no query then. Else
    None, and the navigation fetches the count on its own (`inbox_count` view), so that no other
    page pays for the inbox's queries."""
    request = context.get("request")
    member = member_for(getattr(request, "user", None), organisation.pk) if request else None
    if member is None:
        return 0
    cached = inbox_cached(request, member)
    return None if cached is None else cached.total


# A shared part with the viewer's own marks put in afterwards ---------------------------------------

_OWN_MARK = re.compile(r"<!--own:(\d+)-->")


class OwnCirclesNode(template.Node):
    def __init__(self, nodelist, stewarding, mine):
        self.nodelist, self.stewarding, self.mine = nodelist, stewarding, mine

    def render(self, context):
        stewarding = set(self.stewarding.resolve(context) or ())
        mine = set(self.mine.resolve(context) or ())
        badges = {
            "steward": format_html('<span class="badge steward">{}</span>', _("you steward")),
            "mine": format_html('<span class="badge ok">{}</span>', _("your circle")),
        }

        def badge(match):
            pk = int(match.group(1))
            return badges["steward"] if pk in stewarding else badges["mine"] if pk in mine else ""

        return mark_safe(_OWN_MARK.sub(badge, self.nodelist.render(context)))  # noqa: S308 -- our own markup


@register.tag
def own_circles(parser, token):
    """`{% own_circles stewarding mine %}…<!--own:{{ circle.pk }}-->…{% endown_circles %}`: each
    mark becomes the viewer's badge for that circle ("you steward", "your circle") or nothing, so
    that what is inside can be a shared part (the same for every member) and still say which
    circles are the viewer's."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes the circles stewarded and the viewer's circles.")
    nodelist = parser.parse(("endown_circles",))
    parser.delete_first_token()
    return OwnCirclesNode(nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2]))


# The activity feed: grouped lines, every object linked (governance.activity) -------------------


@dataclass(frozen=True)
class FeedLine:
    """What the feed's template shows of a line beside its sentence (kept in the response cache)."""

    created_at: datetime
    since: datetime
    count: int


@register.simple_tag
def activity(events, organisation, limit=None):
    """The feed's lines: [(sentence, line)], repeated events grouped, at most `limit` lines, in a
    constant number of queries (one per type of object named, for the links).

    Every member who may read the feed reads the same sentences, so a queryset's are kept in the
    response cache under the organisation's version (every event bumps it), the query and the
    language: a page that has them runs none of the feed's queries. The times ("3 minutes ago")
    are the template's, written afresh on every page."""

    def compute():
        lines = events_grouped(events, limit=int(limit) if limit else None)
        # Only the objects a line names need a link: "added Mia to Finance" names the circle, not the stay.
        named = [line.first for line in lines if "{object}" in _phrase(line)]
        links = object_links(organisation, named)
        return [
            (line_text(line, organisation, links), FeedLine(line.created_at, line.since, line.count)) for line in lines
        ]

    if not isinstance(events, QuerySet):
        return compute()
    return response_cache.remember("activity", organisation.pk, (str(events.query), limit, get_language()), compute)


def _phrase(line) -> str:
    verb = line.first.verb
    single = str(EVENT_PHRASES.get(verb, UNKNOWN_PHRASE))
    if line.count > 1:
        return str(GROUP_PHRASES.get(verb, single + " ({count}×)"))
    return single


def line_text(line, organisation, links: dict):
    """One line as a sentence: “Ben Laurent added Grace Mensah to Finance”, every name a link."""
    event = line.first
    if event.actor_id:
        url = reverse("member", kwargs={"org": organisation.slug, "pk": event.actor_id})
        actor = format_html('<a href="{}"><strong>{}</strong></a>', url, event.actor.user.display_name)
    else:
        actor = format_html("<strong>{}</strong>", _("Someone"))
    details = event.details if isinstance(event.details, dict) else {}
    if event.circle_id:
        url = reverse("circle", kwargs={"org": organisation.slug, "circle": event.circle.slug})
        circle = format_html('<a href="{}">{}</a>', url, event.circle.name)
    else:
        circle = _("a circle")
    url = links.get((event.object_type, event.object_id))
    name = format_html('<a href="{}">{}</a>', url, event.object_repr) if url else event.object_repr
    obj = format_html(pgettext("a name in quotes", "“{}”"), name)
    # The phrases quote the object themselves (with the language's quotes); the object brings its own,
    # so that a grouped line that does not quote it still does.
    phrase = QUOTED_OBJECT.sub("{object}", _phrase(line))
    return format_html(
        phrase,
        actor=actor,
        circle=circle,
        object=obj,
        count=line.count,
        verb=event.verb.replace(".", " ").replace("_", " "),
        **_detail_names(details),
    )


@register.filter
def provenance_of(provenances, obj):
    """The newest provenance of an object, from the dict governance.services.provenance_latest made for
    the whole page in one query: `{% include "governance/_provenance.html" with
    provenance=provenances|provenance_of:role %}`."""
    if not provenances or obj is None or getattr(obj, "pk", None) is None:
        return None
    return provenances.get((obj._meta.model_name, obj.pk))
