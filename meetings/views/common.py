"""What the meeting pages share: who I am in the organisation, the way back to a meeting, a
refusal as a message."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from governance.errors import DomainError
from governance.rules import member_for

from ..models import Meeting


def member_in(request, organisation_id):
    return member_for(request.user, organisation_id)


def back(meeting: Meeting, anchor: str = ""):
    url = reverse("meeting", kwargs={"org": meeting.organisation.slug, "pk": meeting.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def show_error(request, error: DomainError) -> None:
    messages.error(request, error.message)
