"""Notification preferences: every kind of email obeys at once / daily digest / off, in the outbox
where every caller queues; the kinds that cannot be turned off say so and refuse."""

import pytest
from django.core import mail
from django.urls import reverse

from governance.errors import Conflict, Invalid
from governance.models import Notification, NotificationPreference
from governance.notifications import ALWAYS_SENT, email_kinds
from governance.services import notification_preference_set, notifications_flush, notifications_queue
from proposals.services import position_record
from tests.factories import make_proposal

KINDS = [k.key for k in email_kinds()]
OPTIONAL = [k for k in KINDS if k not in ALWAYS_SENT]
ALWAYS = [k for k in KINDS if k in ALWAYS_SENT]


def test_every_email_template_is_a_kind_on_the_page():
    assert {"proposal_opened", "agenda_published", "minutes_published", "invitation", "role_term_ending"} <= set(KINDS)
    assert "digest" not in KINDS


def queue(world, kind, *users):
    return notifications_queue(
        recipients=list(users),
        kind=kind,
        key="thing:1",
        subject="Subject",
        body="Body",
        organisation=world.organisation,
    )


@pytest.mark.parametrize("kind", OPTIONAL)
def test_each_kind_obeys_off_digest_and_at_once(world, kind):
    mia, nora = world.member(world.mia), world.member(world.nora)
    notification_preference_set(member=mia, kind=kind, delivery="off")
    notification_preference_set(member=nora, kind=kind, delivery="digest")
    assert queue(world, kind, world.mia, world.nora, world.steve) == 2
    rows = {n.email: n.held_for_digest for n in Notification.objects.filter(kind=kind)}
    assert rows == {"nora@acme.test": True, "steve@acme.test": False}
    notifications_flush()
    assert [m.to for m in mail.outbox] == [["steve@acme.test"]]  # the held one waits for the digest


@pytest.mark.parametrize("kind", ALWAYS)
def test_a_kind_that_cannot_be_turned_off_refuses_and_is_sent(world, kind):
    mia = world.member(world.mia)
    with pytest.raises(Conflict):
        notification_preference_set(member=mia, kind=kind, delivery="off")
    NotificationPreference.objects.create(member=mia, kind=kind, delivery="off")  # even a row written past the service
    assert queue(world, kind, world.mia) == 1


def test_a_preference_is_per_organisation(world):
    from tests.factories import make_member

    make_member(world.other, user=world.mia)
    notification_preference_set(member=world.member(world.mia), kind="proposal_opened", delivery="off")
    assert (
        notifications_queue(
            recipients=[world.mia], kind="proposal_opened", key="p:1", subject="S", body="B", organisation=world.other
        )
        == 1
    )


def test_the_service_refuses_unknown_kinds_and_deliveries(world):
    mia = world.member(world.mia)
    with pytest.raises(Invalid):
        notification_preference_set(member=mia, kind="no_such_kind", delivery="off")
    with pytest.raises(Invalid):
        notification_preference_set(member=mia, kind="proposal_opened", delivery="weekly")


def test_a_real_round_obeys_the_preferences_of_its_voters(world):
    notification_preference_set(member=world.member(world.mia), kind="proposal_opened", delivery="digest")
    proposal = make_proposal(world.finance, world.member(world.steve), title="Buy a printer")
    mia_row = Notification.objects.get(kind="proposal_opened", email="mia@acme.test")
    assert mia_row.held_for_digest and "Buy a printer" in mia_row.subject
    # An objection to Steve's own proposal reaches him whatever he chose for the others.
    notification_preference_set(member=world.member(world.steve), kind="proposal_opened", delivery="off")
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="Too dear")
    assert Notification.objects.filter(kind="objection_raised", email="steve@acme.test", held_for_digest=False).exists()


def test_the_holder_of_a_term_ending_hears_of_it_whatever_they_chose(world):
    from datetime import timedelta

    from django.utils import timezone

    from roles.services import role_assign, terms_remind_ending
    from tests.factories import make_role

    mia, steve = world.member(world.mia), world.member(world.steve)
    for member in (mia, steve):
        notification_preference_set(member=member, kind="role_term_ending", delivery="off")
    role = make_role(world.finance, "Bookkeeper")
    role_assign(role=role, member=mia, by=None, planned_end_at=timezone.now() + timedelta(days=5))
    terms_remind_ending()
    emails = set(Notification.objects.filter(kind="role_term_ending").values_list("email", flat=True))
    assert "mia@acme.test" in emails and "steve@acme.test" not in emails


def test_the_preferences_page_saves_and_shows_what_cannot_be_turned_off(world, as_user):
    client = as_user(world.mia)
    url = reverse("notification_preferences", kwargs={"org": "acme"})
    html = client.get(url).content.decode()
    assert "Always sent" in html and "A round opens and asks for your position" in html
    data = dict.fromkeys(OPTIONAL, "now") | {"proposal_opened": "digest", "meeting_reminder": "off"}
    assert client.post(url, data).status_code == 302
    chosen = dict(NotificationPreference.objects.filter(member__user=world.mia).values_list("kind", "delivery"))
    assert chosen == {"proposal_opened": "digest", "meeting_reminder": "off"}
    html = client.get(url).content.decode()
    chosen_radio = html[html.index('name="proposal_opened" value="digest"') :].split(">")[0]
    assert "checked" in chosen_radio


def test_the_preferences_api_lists_and_sets(world, as_user):
    client = as_user(world.mia)
    answer = client.get("/api/v1/me/notification-preferences/?organisation=acme").json()
    row = next(r for r in answer if r["kind"] == "proposal_opened")
    assert row == {
        "organisation": "acme",
        "kind": "proposal_opened",
        "label": "A round opens and asks for your position",
        "group": "Proposals",
        "delivery": "now",
        "can_turn_off": True,
    }
    assert next(r for r in answer if r["kind"] == "invitation")["can_turn_off"] is False
    body = {"organisation": "acme", "kind": "proposal_opened", "delivery": "digest"}
    response = client.post("/api/v1/me/notification-preferences/", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["delivery"] == "digest"
    body = {"organisation": "acme", "kind": "invitation", "delivery": "off"}
    assert client.post("/api/v1/me/notification-preferences/", body, content_type="application/json").status_code == 409
    body = {"organisation": "other", "kind": "proposal_opened", "delivery": "off"}
    assert client.post("/api/v1/me/notification-preferences/", body, content_type="application/json").status_code == 404
