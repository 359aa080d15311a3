"""Periodic sweeps that one bad item cannot stop.

A sweep (close the due rounds, remind of meetings, end terms…) works through many items of many
organisations. Each item runs in its own savepoint: when one raises, its writes are rolled back,
the error is logged and recorded as a SweepFailure, and the sweep carries on with the next. The
failed item is held back until its next attempt (a growing delay, so a poisoned item never makes
every tick fail first), retried after that, and reported once to the site admins through the
outbox; a later success marks the failure resolved.

    run = sweep_each(meetings, remind, sweep="meeting_reminders_send", now=now)
    return run.total

A sweep that works in batches (the closing sweep) uses a SweepRun directly: `held_ids` to leave
the held-back items out of its claim, `each` to fall back to one item at a time, `succeeded` to
resolve what a batch got through.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .emails import fit_text
from .models import SweepFailure, User
from .services import notifications_queue

log = logging.getLogger(__name__)

# How long a failed item is left alone after its 1st, 2nd, 3rd… failure in a row.
RETRY_BACKOFF = [timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=6), timedelta(days=1)]
TRACEBACK_MAX = 5000


def _identity(item) -> tuple[str, int]:
    return item._meta.model_name, item.pk


def _organisation_of(item) -> int | None:
    return getattr(item, "organisation_id", None)


class SweepRun:
    """One run of one sweep: which items are held back, what got done, what failed."""

    def __init__(self, sweep: str, *, now: datetime | None = None):
        self.sweep = sweep
        self.now = now or timezone.now()
        self.done = self.failed = self.held = 0
        self.total = 0  # what the items' functions returned, added up (messages queued, rows made…)
        self._open: dict[tuple[str, int], SweepFailure] | None = None

    # The failures still open for this sweep, read once per run (there are few, and usually none).
    @property
    def open_failures(self) -> dict[tuple[str, int], SweepFailure]:
        if self._open is None:
            self._open = {
                (f.object_type, f.object_id): f
                for f in SweepFailure.objects.filter(sweep=self.sweep, resolved_at__isnull=True)
            }
        return self._open

    def has_failed(self, item) -> bool:
        """Whether the item has a failure still open (held back, or due for its retry)."""
        return _identity(item) in self.open_failures

    def is_held(self, item) -> bool:
        failure = self.open_failures.get(_identity(item))
        return failure is not None and failure.next_attempt_at > self.now

    def held_ids(self, model):
        """The ids of `model` rows to leave out of a claim, held back after failing: a subquery,
        read as the claim runs, so that a failure another sweeper of the same call (or another
        worker) recorded since this run began is left out too (it is recorded in the commit that
        lets go of the row's lock)."""
        return SweepFailure.objects.filter(
            sweep=self.sweep,
            object_type=model._meta.model_name,
            resolved_at__isnull=True,
            next_attempt_at__gt=self.now,
        ).values("object_id")

    def each(
        self,
        items: Iterable,
        fn: Callable[[Any], Any],
        *,
        organisation: Callable[[Any], int | None] = _organisation_of,
    ) -> SweepRun:
        """Run fn(item) for each item not held back, each in its own savepoint."""
        for item in items:
            if self.is_held(item):
                self.held += 1
                continue
            self.one(item, fn, organisation=organisation)
        return self

    def one(self, item, fn: Callable[[Any], Any], *, organisation: Callable[[Any], int | None] = _organisation_of):
        """Run fn(item) in a savepoint. Returns its result, or None when it raised (recorded)."""
        try:
            with transaction.atomic():
                result = fn(item)
        except SoftTimeLimitExceeded:
            raise  # the task is out of time: stop, rather than blame the item it was on
        except Exception as exc:
            log.exception("Sweep %s: %s %s failed; carrying on without it.", self.sweep, *_identity(item))
            self.failed += 1
            self._record_failure(item, exc, organisation_id=organisation(item))
            return None
        self.done += 1
        self.total += result if isinstance(result, int) else 0
        self.succeeded([item])
        return result

    def succeeded(self, items: Iterable) -> None:
        """These items went through: a failure still open for any of them is resolved."""
        resolved = [self.open_failures.pop(_identity(item)) for item in items if _identity(item) in self.open_failures]
        if resolved:
            SweepFailure.objects.filter(pk__in=[f.pk for f in resolved], resolved_at__isnull=True).update(
                resolved_at=self.now
            )
            for failure in resolved:
                log.info("Sweep %s: %s %s went through after failing; resolved.", self.sweep, *_identity(failure))

    def report(self) -> SweepRun:
        """Log what the run did: a warning when anything failed, nothing much when there was nothing to do."""
        level = logging.WARNING if self.failed else logging.INFO if self.done or self.held else logging.DEBUG
        log.log(level, "Sweep %s: %s done, %s failed, %s held back.", self.sweep, self.done, self.failed, self.held)
        return self

    def _record_failure(self, item, exc: Exception, *, organisation_id: int | None) -> None:
        """Record the failure (the item's savepoint is rolled back already, so this stays), hold the
        item back for a growing delay, and tell the site admins the first time."""
        object_type, object_id = _identity(item)
        error = fit_text(f"{type(exc).__name__}: {exc}", SweepFailure._meta.get_field("error").max_length)
        trace = "".join(traceback.format_exception(exc))[-TRACEBACK_MAX:]
        with transaction.atomic():
            open_ = SweepFailure.objects.select_for_update().filter(
                sweep=self.sweep, object_type=object_type, object_id=object_id, resolved_at__isnull=True
            )
            failure = open_.first()
            if failure is None:
                try:
                    with transaction.atomic():
                        failure = SweepFailure.objects.create(
                            sweep=self.sweep,
                            object_type=object_type,
                            object_id=object_id,
                            object_repr=_repr(item),
                            organisation_id=organisation_id,
                            error=error,
                            traceback=trace,
                            first_failed_at=self.now,
                            last_failed_at=self.now,
                            next_attempt_at=self.now + RETRY_BACKOFF[0],
                        )
                except IntegrityError:  # another worker recorded it a moment ago
                    failure = self._again(open_.get(), error, trace)
            else:
                failure = self._again(failure, error, trace)
            if failure.reported_at is None:
                try:
                    with transaction.atomic():
                        _report(failure, now=self.now)
                except Exception:  # the failure stays recorded; telling is tried again at its next failure
                    log.exception("Sweep %s: could not tell the site admins about %s.", self.sweep, failure)
        self.open_failures[(object_type, object_id)] = failure

    def _again(self, failure: SweepFailure, error: str, trace: str) -> SweepFailure:
        failure.attempts += 1
        failure.error, failure.traceback, failure.last_failed_at = error, trace, self.now
        failure.next_attempt_at = self.now + RETRY_BACKOFF[min(failure.attempts, len(RETRY_BACKOFF)) - 1]
        failure.save(update_fields=["attempts", "error", "traceback", "last_failed_at", "next_attempt_at"])
        return failure


def sweep_each(
    items: Iterable,
    fn: Callable[[Any], Any],
    *,
    sweep: str,
    now: datetime | None = None,
    organisation: Callable[[Any], int | None] = _organisation_of,
) -> SweepRun:
    """Run fn(item) for every item, each isolated from the others (see the module's docstring), and
    log the summary. Returns the run: `.total` adds up what fn returned, `.done`, `.failed`, `.held`."""
    return SweepRun(sweep, now=now).each(items, fn, organisation=organisation).report()


def _repr(item) -> str:
    try:
        text = str(item)
    except Exception:  # the item may be what is broken
        text = f"{item._meta.model_name} {item.pk}"
    return fit_text(text, SweepFailure._meta.get_field("object_repr").max_length)


def site_admins() -> list:
    """Who hears of a failing sweep: active superusers, and the addresses in settings.ADMINS."""
    recipients: list = []
    for admin in settings.ADMINS:
        recipients.append(admin if isinstance(admin, str) else admin[1])
    # Users last, so that an address that is also a superuser's is linked to their account.
    recipients.extend(User.objects.filter(is_superuser=True, is_active=True))
    return recipients


def _report(failure: SweepFailure, *, now: datetime) -> None:
    recipients = site_admins()
    if not recipients:
        log.warning("Sweep %s failed on %s and there is no site admin to tell.", failure.sweep, failure)
        return
    notifications_queue(
        recipients=recipients,
        kind="sweep_failed",
        key=f"sweep_failure:{failure.pk}",
        context={
            "failure": failure,
            "url": settings.SITE_URL + reverse("admin:governance_sweepfailure_change", args=[failure.pk]),
        },
    )
    failure.reported_at = now
    failure.save(update_fields=["reported_at"])
