"""Where the activity feed links circles and roster stays (governance.hooks.event_links)."""

from __future__ import annotations

from django.urls import reverse

from .models import Circle, CircleMembership


def circle_links(organisation, ids) -> dict[int, str]:
    circles = Circle.objects.filter(pk__in=ids, organisation=organisation).values_list("pk", "slug")
    return {pk: reverse("circle", kwargs={"org": organisation.slug, "circle": slug}) for pk, slug in circles}


def membership_links(organisation, ids) -> dict[int, str]:
    """A roster stay links to the member's page: one query for all of them."""
    stays = CircleMembership.objects.filter(pk__in=ids, circle__organisation=organisation)
    return {
        pk: reverse("member", kwargs={"org": organisation.slug, "pk": member_id})
        for pk, member_id in stays.values_list("pk", "member_id")
    }
