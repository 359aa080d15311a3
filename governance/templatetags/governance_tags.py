"""Template helpers: `|markdown` for member-written text, `|in_zone` for moments, and readable lines
for the event log."""

from django import template
from django.templatetags.tz import do_timezone
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

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
    "organisation.created": "{actor} created the organisation",
    "organisation.updated": "{actor} changed the organisation’s settings",
    "membership_class.created": "{actor} added the membership class “{object}”",
    "membership_class.updated": "{actor} changed the membership class “{object}”",
    "member.joined": "{member} joined the organisation",
    "member.rejoined": "{member} rejoined the organisation",
    "member.updated": "{actor} changed {member}’s membership",
    "member.left": "{actor} recorded that {member} left",
    "invitation.created": "{actor} invited {email}",
    "invitation.accepted": "{actor} accepted an invitation and joined",
    "invitation.revoked": "{actor} revoked an invitation",
    "invitation.resent": "{actor} sent the invitation of {email} again",
    "circle.created": "{actor} created the circle {circle}",
    "circle.updated": "{actor} updated the description of {circle}",
    "circle.moved": "{actor} moved {circle} to another parent",
    "circle.archived": "{actor} archived {circle}",
    "circle.restored": "{actor} restored {circle}",
    "roster.added": "{actor} added {member} to {circle}",
    "roster.removed": "{actor} took {member} off {circle}",
    "role.assigned": "{actor} made {member} {role} of {circle}",
    "role.ended": "{actor} ended {member}’s term as {role}",
    "proposal.opened": "{actor} opened the proposal “{object}” in {circle}",
    "proposal.amended": "{actor} amended the proposal “{object}”",
    "proposal.withdrawn": "{actor} withdrew the proposal “{object}”",
    "proposal.closed": "The round on “{object}” closed",
    "proposal.outcome_written": "{actor} wrote the outcome of “{object}”",
    "proposal.commented": "{actor} commented on “{object}”",
    "proposal.question_asked": "{actor} asked a question about “{object}”",
    "position.recorded": "{actor} responded to “{object}”",
    "objection.withdrawn": "{actor} withdrew an objection to “{object}”",
    "proxy.given": "{actor} gave {member} a proxy",
    "proxy.revoked": "{actor} ended the proxy held by {member}",
    "proxy.ended": "The proxy held by {member} ended",
    "role_template.updated": "{actor} changed the template of a core role",
    "role.created": "{actor} defined the role {role} in {circle}",
    "role.updated": "{actor} changed the role {role} in {circle}",
    "role.archived": "{actor} archived the role {role} in {circle}",
    "role.restored": "{actor} restored the role {role} in {circle}",
    "role.vacant": "{role} of {circle} became vacant",
    "role.term_ending": "{member}’s term as {role} of {circle} ends soon",
    "election.opened": "{actor} opened an election of {role} in {circle}",
    "election.nominated": "{actor} nominated {member} as {role}",
    "election.proposed": "{actor} proposed {member} as {role}",
    "election.candidacy": "{member} stood for {role}",
    "election.candidacy_withdrawn": "{member} withdrew from the election of {role}",
    "election.voting_opened": "Voting opened in the election of {role}",
    "election.voted": "{actor} voted in the election of {role}",
    "election.not_consented": "The circle did not consent to the candidate for {role}",
    "election.closed": "The election of {role} in {circle} closed",
    "election.cancelled": "{actor} cancelled the election of {role}",
    "meeting.scheduled": "{actor} scheduled “{object}” in {circle}",
    "meeting.updated": "{actor} changed the meeting “{object}”",
    "meeting.cancelled": "{actor} cancelled the meeting “{object}”",
    "meeting_series.created": "{actor} set up the regular meeting “{object}” in {circle}",
    "meeting_series.updated": "{actor} changed the regular meeting “{object}”",
    "meeting_series.rescheduled": "{actor} rescheduled the regular meeting “{object}”",
    "meeting_series.ended": "{actor} ended the regular meeting “{object}”",
    "meeting_settings.updated": "{actor} changed the meeting settings",
    "agenda.item_added": "{actor} added an item to the agenda of “{object}”",
    "agenda.item_removed": "{actor} took an item off the agenda of “{object}”",
    "agenda.published": "{actor} published the agenda of “{object}”",
    "attendance.recorded": "{actor} recorded attendance at “{object}”",
    "meeting.replied": "{actor} said whether they will come to “{object}”",
    "minutes.published": "{actor} published the minutes of “{object}”",
    "minutes.corrected": "{actor} corrected the minutes of “{object}”",
    "tension.raised": "{actor} raised a tension in {circle}: “{object}”",
    "tension.resolved": "{actor} resolved the tension “{object}”",
    "tension.proposed": "{actor} turned the tension “{object}” into a proposal",
    "tension.reopened": "The tension “{object}” is open again: its proposal was withdrawn",
    "action_item.created": "{actor} added the action “{object}”",
    "action_item.updated": "{actor} updated the action “{object}”",
    "integration.created": "{actor} connected the integration “{object}”",
    "integration.rights_changed": "The integration “{object}” now acts with {acts_as} rights, following {member}",
    "webhook.registered": "{actor} registered a webhook",
    "webhook.updated": "{actor} changed a webhook",
    "webhook.enabled": "{actor} enabled a webhook",
    "webhook.disabled": "A webhook was disabled",
    "webhook.removed": "{actor} removed a webhook",
    "change.added": "{actor} added a change to the proposal “{object}”",
    "change.updated": "{actor} changed a change of the proposal “{object}”",
    "change.removed": "{actor} took a change off the proposal “{object}”",
    "change.applied": "A decision changed “{object}”",
    "proposal.enacted": "The decision “{object}” was enacted",
    "proposal.not_enacted": "The decision “{object}” passed but could not be enacted",
    "circle.settings_updated": "{actor} changed the proposal settings of {circle}",
    "circle_meeting_settings.updated": "{actor} changed the meeting settings of {circle}",
    "working_group.created": "{actor} started the working group “{object}”",
    "working_group.extended": "{actor} extended the working group “{object}”",
    "working_group.ending": "The working group “{object}” ends soon",
    "council.linked": "{actor} made “{object}” the council its election seats",
    "council.seated": "A term began: “{object}” seats its elected member",
    "council.unseated": "A term ended: “{object}” unseats a member",
    "election.nomination_accepted": "A nominee answered their nomination for “{object}”",
    "poll.opened": "{actor} opened the poll “{object}”",
    "poll.answered": "{actor} answered the poll “{object}”",
    "poll.closed": "{actor} closed the poll “{object}”",
    "fund.created": "{actor} created the fund “{object}”",
    "income.recorded": "{actor} recorded income to “{object}”",
    "budget.created": "{actor} created the budget “{object}”",
    "budget.allocated": "A decision gave the budget “{object}” its money",
    "budget.released": "{actor} released unspent money of “{object}” to its fund",
    "category.created": "{actor} added the spending category “{object}”",
    "spending.created": "{actor} proposed the spending “{object}”",
    "spending.committed": "The spending “{object}” was committed",
    "attachment.added": "{actor} attached a file to “{object}”",
    "payment.recorded": "{actor} recorded a payment of “{object}”",
    "commitment.returned": "{actor} returned what was left of “{object}”",
    "entry.reversed": "{actor} reversed a ledger entry of “{object}”",
    "round.opened": "{actor} opened the participatory round “{object}”",
    "bucket.created": "{actor} proposed the bucket “{object}”",
    "round.finalised": "The participatory round “{object}” was finalised",
    "term_summary.drafted": "{actor} drafted the term summary “{object}”",
    "term_summary.updated": "{actor} edited the term summary “{object}”",
    "term_summary.published": "{actor} published the term summary “{object}”",
    "record_settings.updated": "{actor} changed what the organisation shows in the open",
    "member.erased": "{actor} erased a member at their request",
}


@register.simple_tag
def event_text(event, organisation):
    """One event as a sentence: “Ben Laurent added Grace Mensah to Finance”."""
    details = event.details if isinstance(event.details, dict) else {}
    if event.actor_id:
        actor = format_html("<strong>{}</strong>", event.actor.user.display_name)
    elif details.get("site_admin"):
        actor = format_html("<strong>{}</strong> (site admin)", details["site_admin"])
    else:
        actor = format_html("<strong>{}</strong>", "Someone")
    if event.circle_id:
        url = reverse("circle", kwargs={"org": organisation.slug, "circle": event.circle.slug})
        circle = format_html('<a href="{}">{}</a>', url, event.circle.name)
    else:
        circle = "a circle"
    phrase = EVENT_PHRASES.get(event.verb, "{actor}: {verb} “{object}”")
    return format_html(
        phrase,
        actor=actor,
        circle=circle,
        object=event.object_repr,
        verb=event.verb.replace(".", " ").replace("_", " "),
        email=details.get("email", "someone"),
        member=details.get("member", "a member"),
        role=details.get("role", "a role"),
        acts_as=_ACTS_AS.get(str((details.get("acts_as") or [""])[-1]), "other"),
    )


# The rights an integration acts with, as the log reads them (see ApiToken.bot_rights).
_ACTS_AS = {"admin": "an admin’s", "member": "a member’s", "none": "no"}


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


# The activity feed: grouped lines, every object linked (governance.activity) -------------------


@register.simple_tag
def activity(events, organisation, limit=None):
    """The feed's lines: [(sentence, line)], repeated events grouped, at most `limit` lines, in a
    constant number of queries (one per type of object named, for the links)."""
    lines = events_grouped(events, limit=int(limit) if limit else None)
    # Only the objects a line names need a link: "added Mia to Finance" names the circle, not the stay.
    named = [line.first for line in lines if "{object}" in _phrase(line)]
    links = object_links(organisation, named)
    return [(line_text(line, organisation, links), line) for line in lines]


def _phrase(line) -> str:
    verb = line.first.verb
    single = EVENT_PHRASES.get(verb, "{actor}: {verb} “{object}”")
    if line.count > 1:
        return GROUP_PHRASES.get(verb, single + " ({count}×)")
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
    if url:
        obj = format_html('“<a href="{}">{}</a>”', url, event.object_repr)
    else:
        obj = format_html("“{}”", event.object_repr)
    phrase = _phrase(line)
    # The phrases quote the object themselves; a linked object brings its own quotes.
    phrase = phrase.replace("“{object}”", "{object}")
    return format_html(
        phrase,
        actor=actor,
        circle=circle,
        object=obj,
        count=line.count,
        verb=event.verb.replace(".", " ").replace("_", " "),
        email=details.get("email", "someone"),
        member=details.get("member", "a member"),
        role=details.get("role", "a role"),
        acts_as=_ACTS_AS.get(str((details.get("acts_as") or [""])[-1]), "other"),
    )


@register.filter
def provenance_of(provenances, obj):
    """The newest provenance of an object, from the dict governance.services.provenance_latest made for
    the whole page in one query: `{% include "governance/_provenance.html" with
    provenance=provenances|provenance_of:role %}`."""
    if not provenances or obj is None or getattr(obj, "pk", None) is None:
        return None
    return provenances.get((obj._meta.model_name, obj.pk))
