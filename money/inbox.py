"""The money app's inbox source: the payments a treasurer must record."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from governance.inbox import InboxEntry
from governance.models import Member

from .queries import commitments_to_pay_for


def payments_to_record(member: Member, now: datetime) -> list[InboxEntry]:
    """Open commitments in the circles whose treasurer the member is (every circle, for the general
    circle's treasurer), in one query."""
    entries = []
    for commitment in commitments_to_pay_for(member):
        circle = commitment.budget.circle
        entries.append(
            InboxEntry(
                kind="money.payment",
                title=commitment.title,
                action=_("Record the payment"),
                url=reverse("money:commitment", kwargs={"org": member.organisation.slug, "pk": commitment.pk}),
                due=None,
                circle=circle.name,
                role=_("treasurer"),
                object_type="commitment",
                object_id=commitment.pk,
            )
        )
    return entries
