"""Which kinds of email there are, which a member may take at once, in a daily digest or not at all,
and the signed one-click unsubscribe links (RFC 8058) that turn one kind off without logging in.

Every kind is a pair of templates in templates/email/ (see governance.emails), so the kinds are
found there: a new app's templates are a new kind on the preferences page with no list to keep.
The labels below name the known ones; a kind without a label is named after its key.

Some messages cannot be turned off: an invitation (there is no member yet), a password reset (the
allauth account emails, which never pass through the outbox), what tells the site's operators that
something broke, and messages to a person about their own role or about an objection to their own
proposal. A message about one person in particular (their term ending) reaches them whatever they
chose, while the copies to their circle obey the circle members' preferences.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.template import engines
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Member, NotificationPreference

Delivery = NotificationPreference.Delivery
DIGEST_KIND = "digest"

# The kinds that cannot be turned off, and why (shown as such on the preferences page).
ALWAYS_SENT = {
    "invitation": _("An invitation goes to someone who has no preferences yet."),
    "objection_raised": _("An objection to your own proposal is yours to answer."),
    "sweep_failed": _("Tells the site's operators that a background job is failing."),
    "webhook_disabled": _("Tells the organisation's admins that an integration stopped."),
    DIGEST_KIND: _("The digest itself: choose “at once” for every kind to stop it."),
}

# (group, label) of the known kinds; the groups order the preferences page.
LABELS = {
    "proposal_opened": (_("Proposals"), _("A round opens and asks for your position")),
    "proposal_amended": (_("Proposals"), _("A proposal is amended and asks for your position again")),
    "proposal_closing_soon": (_("Proposals"), _("A round closes soon and your position is missing")),
    "proposal_closed": (_("Proposals"), _("A round closes with its outcome")),
    "agreement_review": (_("Proposals"), _("An agreement is due for review")),
    "objection_raised": (_("Proposals"), _("Someone objects to your proposal")),
    "proposal_not_enacted": (_("Proposals"), _("Your proposal passed but its changes could not be made")),
    "meeting_reminder": (_("Meetings"), _("A meeting is coming up")),
    "meeting_moved": (_("Meetings"), _("A meeting moves")),
    "meeting_cancelled": (_("Meetings"), _("A meeting is cancelled")),
    "meeting_series_rescheduled": (_("Meetings"), _("A meeting series gets new times")),
    "agenda_published": (_("Meetings"), _("An agenda is published")),
    "agenda_due": (_("Meetings"), _("An agenda of yours is due")),
    "minutes_published": (_("Meetings"), _("Minutes are published")),
    "minutes_corrected": (_("Meetings"), _("Published minutes are corrected")),
    "minutes_due": (_("Meetings"), _("Minutes of yours are due")),
    "action_assigned": (_("Actions"), _("An action is given to you")),
    "action_due_soon": (_("Actions"), _("An action of yours is due soon")),
    "action_overdue": (_("Actions"), _("An action of yours is overdue")),
    "role_term_ending": (_("Roles"), _("A term ends (yours always reaches you)")),
    "role_vacant": (_("Roles"), _("A role becomes vacant")),
    "election_opened": (_("Elections"), _("An election opens")),
    "election_nominated": (_("Elections"), _("You are nominated for a role")),
    "election_nomination_answered": (_("Elections"), _("A nominee accepts or declines")),
    "election_nominations_closed": (_("Elections"), _("Nominations close")),
    "election_voting": (_("Elections"), _("Voting opens")),
    "election_closed": (_("Elections"), _("An election is decided")),
    "working_group_ending": (_("Circles"), _("A working group of yours is about to end")),
    "payment_due": (_("Money"), _("A payment is due to be recorded")),
    "payment_recorded": (_("Money"), _("A payment is recorded")),
    "poll_opened": (_("Polls"), _("A poll opens")),
    "invitation": (_("Account"), _("An invitation to an organisation")),
    "sweep_failed": (_("Operators"), _("A background job is failing")),
    "webhook_disabled": (_("Operators"), _("A webhook was disabled")),
}
OTHER = _("Other")


@dataclass(frozen=True)
class EmailKind:
    key: str
    group: str
    label: str
    can_turn_off: bool
    why_always: str = ""


@cache
def _template_kinds() -> tuple[str, ...]:
    """Every kind with a subject template in an `email/` folder of the project's template dirs or apps."""
    found = set()
    for engine in engines.all():
        for loader in engine.engine.template_loaders:
            for folder in getattr(loader, "get_dirs", lambda: [])():
                found |= {p.name.removesuffix(".subject.txt") for p in Path(folder, "email").glob("*.subject.txt")}
    return tuple(sorted(found))


def email_kinds() -> list[EmailKind]:
    """Every kind of email, grouped as the preferences page shows them (the digest itself left out)."""
    group_order = {str(group): n for n, (group, _label) in enumerate(LABELS.values())}
    kinds = []
    for key in set(_template_kinds()) | set(LABELS):
        if key == DIGEST_KIND:
            continue
        group, label = LABELS.get(key, (OTHER, key.replace("_", " ").capitalize()))
        why = ALWAYS_SENT.get(key, "")
        kinds.append(EmailKind(key=key, group=str(group), label=str(label), can_turn_off=not why, why_always=str(why)))
    return sorted(kinds, key=lambda k: (group_order.get(k.group, len(group_order)), k.group, k.label))


def can_turn_off(kind: str) -> bool:
    return kind not in ALWAYS_SENT


def deliveries_for(member: Member) -> dict[str, str]:
    """The member's choice for each kind they changed (the others are sent at once)."""
    return dict(NotificationPreference.objects.filter(member=member).values_list("kind", "delivery"))


# One-click unsubscribe ---------------------------------------------------------------------------

UNSUBSCRIBE_SALT = "governance.notifications.unsubscribe"


def unsubscribe_token(*, user_id: int, organisation_id: int, kind: str) -> str:
    """A token naming one person, one organisation and one kind, signed with the site's secret: it
    cannot be made for someone else, nor for another kind, without the secret."""
    return signing.dumps({"u": user_id, "o": organisation_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, int, str]:
    """(user id, organisation id, kind) of a token; raises signing.BadSignature for a forged one."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not {"u", "o", "k"} <= set(data):
        raise signing.BadSignature("Not an unsubscribe token.")
    return int(data["u"]), int(data["o"]), str(data["k"])


def unsubscribe_url(*, user_id: int, organisation_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, organisation_id=organisation_id, kind=kind)
    return settings.SITE_URL + reverse("unsubscribe", kwargs={"token": token})


def preferences_url(organisation) -> str:
    return settings.SITE_URL + reverse("notification_preferences", kwargs={"org": organisation.slug})
