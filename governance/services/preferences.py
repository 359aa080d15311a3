"""A member's notification preferences: one write, used by the preferences page, the API and the
one-click unsubscribe alike."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.errors import Conflict, Invalid
from governance.models import Member, NotificationPreference
from governance.notifications import DIGEST_KIND, can_turn_off, email_kinds

Delivery = NotificationPreference.Delivery


@transaction.atomic
def notification_preference_set(*, member: Member, kind: str, delivery: str) -> NotificationPreference:
    """Choose how the member takes one kind of email in their organisation: at once, in a daily
    digest, or off. A kind that cannot be turned off refuses the digest and off alike, saying why.

    No event is recorded: the event log is the organisation's governance record, read by everyone in
    it, and how a person takes their email is theirs alone."""
    if delivery not in Delivery.values:
        raise Invalid(_("Choose at once, in a daily digest, or off."), field="delivery")
    if kind == DIGEST_KIND or kind not in {k.key for k in email_kinds()}:
        raise Invalid(_("There is no such kind of email."), field="kind")
    if not can_turn_off(kind) and delivery != Delivery.NOW:
        raise Conflict(_("This kind of email is always sent at once: it cannot be turned off or held."))
    preference, _created = NotificationPreference.objects.update_or_create(
        member=member, kind=kind, defaults={"delivery": delivery, "updated_at": timezone.now()}
    )
    return preference
