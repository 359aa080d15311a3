"""Every page of the record answers, for a member and for an admin."""

import pytest
from django.urls import reverse

from record.services import record_settings_save


@pytest.mark.parametrize(
    "name",
    [
        "record-health",
        "record-participation",
        "record-participation-me",
        "record-election-history",
        "record-search",
        "record-export",
    ],
)
def test_member_pages_answer(world, as_user, name):
    client = as_user(world.mia)
    response = client.get(reverse(name, kwargs={"org": "acme"}), {"q": "budget"} if name == "record-search" else {})
    assert response.status_code == 200


def test_admin_pages_answer(world, as_user):
    client = as_user(world.alice)
    assert client.get(reverse("record-settings", kwargs={"org": "acme"})).status_code == 200
    assert client.get(reverse("record-health", kwargs={"org": "acme"}), {"circle": "finance"}).status_code == 200
    assert (
        client.get(reverse("record-circle-summaries", kwargs={"org": "acme", "circle": "finance"})).status_code == 200
    )


def test_public_pages_answer_once_opened(world, client):
    assert client.get(reverse("open-index", kwargs={"org": "acme"})).status_code == 404
    record_settings_save(
        organisation=world.organisation,
        by=None,
        public_decisions=True,
        public_log=True,
        public_roles=True,
        public_minutes=True,
        public_log_verbs=["proposal.closed"],
    )
    for name in (
        "open-index",
        "open-decisions",
        "open-decisions-feed",
        "open-log",
        "open-log-feed",
        "open-roles",
        "open-minutes",
        "open-minutes-feed",
    ):
        assert client.get(reverse(name, kwargs={"org": "acme"})).status_code == 200, name


def test_size_guidance_page(client):
    assert b"When to split" in client.get(reverse("record-size-guidance")).content
