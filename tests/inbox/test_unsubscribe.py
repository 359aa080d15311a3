"""Every email goes out as text and HTML with the organisation, a direct link and a footer to the
preferences; the kinds that can be turned off carry RFC 8058 one-click headers with a link signed
for that person and kind, which turns it off by POST without a session."""

import re

import pytest
from django.core import mail, signing
from django.test import Client

from governance.emails import message_render
from governance.models import Notification, NotificationPreference
from governance.notifications import email_kinds, unsubscribe_read, unsubscribe_token
from governance.services import notifications_flush
from tests.factories import make_proposal


def sent_to(email):
    notifications_flush()
    return [m for m in mail.outbox if m.to == [email]]


def unsubscribe_link(message) -> str:
    return message.extra_headers["List-Unsubscribe"].strip("<>")


def test_a_proposal_email_has_html_the_footer_and_one_click_headers(world, settings):
    settings.SITE_URL = "http://governance.test"
    proposal = make_proposal(world.finance, world.member(world.steve), title="Buy a printer & a desk")
    (message,) = sent_to("mia@acme.test")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_link(message).startswith("http://governance.test/unsubscribe/")
    assert "http://governance.test/o/acme/notifications/" in message.body
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Acme Co-op" in html and "Buy a printer &amp; a desk" in html  # escaped in HTML, as typed in text
    assert f'href="http://governance.test/o/acme/p/{proposal.pk}/"' in html
    assert "/o/acme/notifications/" in html and "/unsubscribe/" in html
    assert "Buy a printer & a desk" in message.body


def test_a_kind_that_cannot_be_turned_off_has_no_unsubscribe_header_but_the_footer(world):
    from proposals.services import position_record

    proposal = make_proposal(world.finance, world.member(world.steve), title="Buy a printer")
    mail.outbox.clear()
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="Too dear")
    (message,) = [m for m in sent_to("steve@acme.test") if "Objection" in m.subject]
    assert "List-Unsubscribe" not in message.extra_headers
    assert "/o/acme/notifications/" in message.body


def test_one_click_post_without_a_session_turns_that_kind_off(world):
    make_proposal(world.finance, world.member(world.steve), title="Buy a printer")
    (message,) = sent_to("mia@acme.test")
    path = re.sub(r"^https?://[^/]+", "", unsubscribe_link(message))
    client = Client(enforce_csrf_checks=True)  # a mail client: no session, no CSRF token
    page = client.get(path)
    assert page.status_code == 200 and "Stop these emails" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # a GET (a link scanner) changes nothing
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    (preference,) = NotificationPreference.objects.all()
    assert (preference.member.user, preference.kind, preference.delivery) == (world.mia, "proposal_opened", "off")
    make_proposal(world.finance, world.member(world.steve), title="Paint the office")
    assert not Notification.objects.filter(email="mia@acme.test", subject__contains="Paint the office").exists()


def test_a_forged_token_is_refused(world):
    token = unsubscribe_token(user_id=world.mia.pk, organisation_id=world.organisation.pk, kind="proposal_opened")
    payload, _, signature = token.rpartition(":")
    forged = signing.dumps(
        {"u": world.steve.pk, "o": world.organisation.pk, "k": "proposal_opened"}, salt="another", compress=True
    )
    for bad in (f"{payload}:{'A' * len(signature)}", forged, "nonsense"):
        assert Client().post(f"/unsubscribe/{bad}/").status_code == 400
    assert not NotificationPreference.objects.exists()


def test_a_token_only_ever_turns_off_its_own_persons_kind(world):
    token = unsubscribe_token(user_id=world.mia.pk, organisation_id=world.organisation.pk, kind="proposal_opened")
    assert unsubscribe_read(token) == (world.mia.pk, world.organisation.pk, "proposal_opened")
    steve = Client()
    steve.force_login(world.steve)  # logged in as someone else: the token still speaks for Mia alone
    steve.post(f"/unsubscribe/{token}/")
    assert list(NotificationPreference.objects.values_list("member__user", "kind")) == [
        (world.mia.pk, "proposal_opened")
    ]


@pytest.mark.parametrize("kind", ["invitation", "objection_raised"])
def test_a_token_for_a_kind_that_cannot_be_turned_off_is_refused(world, kind):
    token = unsubscribe_token(user_id=world.mia.pk, organisation_id=world.organisation.pk, kind=kind)
    assert Client().post(f"/unsubscribe/{token}/").status_code == 404
    assert not NotificationPreference.objects.exists()


def test_a_token_of_someone_who_left_is_refused(world):
    from governance.services import member_remove

    token = unsubscribe_token(user_id=world.nora.pk, organisation_id=world.organisation.pk, kind="proposal_opened")
    member_remove(member=world.member(world.nora), by=world.member(world.alice), reason="Moved away")
    assert Client().post(f"/unsubscribe/{token}/").status_code == 404


@pytest.mark.parametrize("kind", sorted(k.key for k in email_kinds()))
def test_every_kind_renders_as_html_from_its_text_context(kind):
    """Each kind's HTML (its own template or the base around its text) renders with an empty context."""
    _subject, _body, html = message_render(kind, {"url": "http://governance.test/x/"})
    assert html.lstrip().lower().startswith("<!doctype html>") and 'href="http://governance.test/x/"' in html
