"""The daily digest: what a member takes in a digest goes out once a day per member, from
DIGEST_HOUR in the organisation's time, even when the worker was down for hours."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from governance.digests import digests_send
from governance.models import Notification
from governance.services import notification_preference_set, notifications_flush, notifications_queue

UTC = ZoneInfo("UTC")


def at(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def queue(world, key, subject="Round open: Buy a printer"):
    notifications_queue(
        recipients=[world.mia, world.steve],
        kind="proposal_opened",
        key=key,
        subject=subject,
        body=f"Body of {key}",
        organisation=world.organisation,
    )


def digests_of(email):
    return list(Notification.objects.filter(kind="digest", email=email).order_by("created_at"))


def test_the_digest_goes_out_once_a_day_even_with_the_worker_down_for_hours(world, settings):
    settings.DIGEST_HOUR = 7
    world.organisation.time_zone = "UTC"
    world.organisation.save(update_fields=["time_zone"])
    notification_preference_set(member=world.member(world.mia), kind="proposal_opened", delivery="digest")
    with time_machine.travel(at(2, 15), tick=False):
        queue(world, "p:1")
        queue(world, "p:2", subject="Round open: Paint the office")
        assert digests_send() == 0  # today's digest holds what came before 07:00: these wait for tomorrow's
    # The worker is down from the evening until 11:40 the next day: the first tick sends the digest.
    with time_machine.travel(at(3, 11, 40), tick=False):
        assert digests_send() == 1
        assert digests_send() == 0  # a second tick (or a second worker) sends nothing more
        notifications_flush()
    (digest,) = digests_of("mia@acme.test")
    assert "Buy a printer" in digest.body and "Paint the office" in digest.body and "[Acme Co-op]" in digest.subject
    held = Notification.objects.filter(email="mia@acme.test", kind="proposal_opened")
    assert all(n.digest_id == digest.pk and n.sent_at for n in held)
    to_mia = [m for m in mail.outbox if m.to == ["mia@acme.test"]]
    assert len(to_mia) == 1 and to_mia[0].subject == digest.subject  # the digest alone, not the two messages
    assert len([m for m in mail.outbox if m.to == ["steve@acme.test"]]) == 2  # Steve takes them at once


def test_what_is_held_after_the_days_digest_waits_for_the_next(world, settings):
    settings.DIGEST_HOUR = 7
    world.organisation.time_zone = "UTC"
    world.organisation.save(update_fields=["time_zone"])
    notification_preference_set(member=world.member(world.mia), kind="proposal_opened", delivery="digest")
    with time_machine.travel(at(3, 6), tick=False):
        queue(world, "p:1")
        assert digests_send() == 0  # before 07:00 the digest due is yesterday's, of what came before it
    with time_machine.travel(at(3, 8), tick=False):
        assert digests_send() == 1
        queue(world, "p:2")
        assert digests_send() == 0  # today's went out: p:2 waits
    with time_machine.travel(at(4, 7, 5), tick=False):
        assert digests_send() == 1
    bodies = [d.body for d in digests_of("mia@acme.test")]
    assert "Body of p:2" in bodies[-1] and "Body of p:2" not in "".join(bodies[:-1])
    assert sum(b.count("Body of p:1") for b in bodies) == 1  # each held message in exactly one digest


def test_the_digest_is_due_at_the_hour_of_the_organisations_time_zone(world, settings):
    settings.DIGEST_HOUR = 7
    world.organisation.time_zone = "Pacific/Auckland"  # UTC+13 in March
    world.organisation.save(update_fields=["time_zone"])
    notification_preference_set(member=world.member(world.mia), kind="proposal_opened", delivery="digest")
    with time_machine.travel(at(2, 12), tick=False):  # 01:00 on the 3rd in Auckland
        queue(world, "p:1")
    with time_machine.travel(at(2, 17, 30), tick=False):  # 06:30 in Auckland: not yet (in UTC it would be)
        queue(world, "p:2")
        assert digests_send() == 0
    with time_machine.travel(at(2, 18, 5), tick=False):  # 07:05 in Auckland: the 3rd's, with both
        assert digests_send() == 1
    (digest,) = digests_of("mia@acme.test")
    assert "Body of p:1" in digest.body and "Body of p:2" in digest.body
