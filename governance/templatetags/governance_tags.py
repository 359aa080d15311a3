"""Template helpers: `|markdown` for member-written text, and readable lines for the event log."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from governance.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render Markdown to sanitised HTML: `{{ circle.purpose|markdown }}`."""
    return render_markdown(text)


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
}


@register.simple_tag
def event_text(event, organisation):
    """One event as a sentence: “Ben Laurent added Grace Mensah to Finance”."""
    actor = format_html("<strong>{}</strong>", event.actor.user.display_name if event.actor_id else "Someone")
    details = event.details if isinstance(event.details, dict) else {}
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
    )
