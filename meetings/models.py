"""Meetings of circles: one-off or recurring, with agendas, attendance, minutes and action items;
tensions that members raise; private calendar feeds.

Recurring meetings are series whose occurrences are materialised as Meeting rows ahead of time (by
the creating service and then by a periodic sweep, up to a horizon). A concrete row is what agenda
items, attendance, minutes and reminders hang on; an edited occurrence is a row with `is_edited`,
a cancelled one a row with state `cancelled`. The series keeps the rule for calendar feeds, which
publish it as one RRULE with EXDATEs and overrides (RECURRENCE-ID), the way calendars expect."""

import secrets
import zoneinfo

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.dates import SaneDateField, SaneDateTimeField
from governance.models import hash_token
from governance.text import SingleLineCharField


class Kind(models.TextChoices):
    GOVERNANCE = "governance", _("Governance meeting")
    OPERATIONAL = "operational", _("Operational meeting")
    ALL_HANDS = "all_hands", _("All hands")
    GENERAL_ASSEMBLY = "general_assembly", _("General assembly")
    RETROSPECTIVE = "retrospective", _("Retrospective")


class MeetingSettings(models.Model):
    """An organisation's meeting habits. One row per organisation, created with the defaults on first use."""

    organisation = models.OneToOneField(
        "governance.Organisation",
        on_delete=models.CASCADE,
        related_name="meeting_settings",
        verbose_name=_("organisation"),
    )
    agenda_due_days = models.PositiveSmallIntegerField(
        default=2,
        help_text=_("How many days before a meeting its agenda should be published."),
        verbose_name=_("agenda due days"),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        default=50,
        help_text=_("Share of the circle's roster that must be present for a quorum, in %."),
        verbose_name=_("quorum percent"),
    )

    class Meta:
        verbose_name = _("meeting settings")
        verbose_name_plural = _("meeting settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_percent__gte=1, quorum_percent__lte=100), name="meeting_settings_quorum_percentage"
            ),
            models.CheckConstraint(condition=Q(agenda_due_days__lte=60), name="meeting_settings_agenda_due_days_range"),
        ]

    def __str__(self):
        return gettext("Meeting settings of %(name)s") % {"name": self.organisation}


class CircleMeetingSettings(models.Model):
    """What one circle decided about its meetings, over the organisation's habits: how early its agendas
    are due and how often it means to meet. Changed by the circle's decisions (meetings/changes.py)."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Every month")
        QUARTERLY = "quarterly", _("Every three months")

    circle = models.OneToOneField(
        "circles.Circle", on_delete=models.CASCADE, related_name="meeting_settings", verbose_name=_("circle")
    )
    agenda_due_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Days before a meeting its agenda is due (empty: the organisation's)."),
        verbose_name=_("agenda due days"),
    )
    cadence = models.CharField(
        max_length=12,
        choices=Cadence.choices,
        blank=True,
        help_text=_("How often it meets."),
        verbose_name=_("cadence"),
    )

    class Meta:
        verbose_name = _("circle meeting settings")
        verbose_name_plural = _("circle meeting settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(agenda_due_days__isnull=True) | Q(agenda_due_days__lte=60),
                name="circle_meeting_settings_agenda_due_days_range",
            ),
        ]

    def __str__(self):
        return gettext("Meeting settings of %(name)s") % {"name": self.circle}


class MeetingSeries(models.Model):
    """A recurring meeting: its rule (RFC 5545, without UNTIL, which lives in `until`), the first
    occurrence's start and the duration. Times recur at the same wall-clock time in `time_zone`,
    across daylight-saving changes."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Every month (same weekday, e.g. the second Tuesday)")
        CUSTOM = "custom", _("Custom rule (RFC 5545 RRULE)")

    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.PROTECT, related_name="meeting_series", verbose_name=_("circle")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GOVERNANCE, verbose_name=_("kind"))
    title = SingleLineCharField(max_length=200, verbose_name=_("title"))
    place = SingleLineCharField(max_length=200, blank=True, verbose_name=_("place"))
    video_url = models.URLField(max_length=500, blank=True, verbose_name=_("video url"))
    facilitator = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    secretary = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("secretary"),
    )
    starts_at = SaneDateTimeField(help_text=_("The first occurrence."), verbose_name=_("starts at"))
    duration = models.DurationField(verbose_name=_("duration"))
    frequency = models.CharField(
        max_length=12, choices=Frequency.choices, default=Frequency.WEEKLY, verbose_name=_("frequency")
    )
    rrule = SingleLineCharField(
        max_length=300, help_text=_("RFC 5545 recurrence rule, e.g. FREQ=WEEKLY;INTERVAL=2."), verbose_name=_("rrule")
    )
    until = SaneDateField(
        null=True, blank=True, help_text=_("The last day on which it may occur."), verbose_name=_("until")
    )
    time_zone = SingleLineCharField(max_length=64, verbose_name=_("time zone"))
    created_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the series was ended or rescheduled."), verbose_name=_("ended at")
    )

    class Meta:
        verbose_name = _("meeting series")
        ordering = ["circle", "starts_at"]
        verbose_name_plural = _("meeting series")

    def __str__(self):
        return gettext("%(title)s (%(frequency)s)") % {
            "title": self.title,
            "frequency": self.get_frequency_display().lower(),
        }

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.time_zone)


class MeetingQuerySet(models.QuerySet):
    def scheduled(self):
        return self.filter(state=Meeting.State.SCHEDULED)


class Meeting(models.Model):
    """One meeting: a one-off, or an occurrence of a series (then `original_start` is the start the
    rule gave it, its RECURRENCE-ID; `is_edited` says it was changed on its own)."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="meetings", verbose_name=_("organisation")
    )
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("circle")
    )
    series = models.ForeignKey(
        MeetingSeries,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occurrences",
        verbose_name=_("series"),
    )
    original_start = models.DateTimeField(
        null=True, blank=True, help_text=_("The start the series' rule gave it."), verbose_name=_("original start")
    )
    is_edited = models.BooleanField(
        default=False, help_text=_("Changed on its own, apart from its series."), verbose_name=_("is edited")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GOVERNANCE, verbose_name=_("kind"))
    title = SingleLineCharField(max_length=200, verbose_name=_("title"))
    starts_at = SaneDateTimeField(db_index=True, verbose_name=_("starts at"))
    ends_at = SaneDateTimeField(verbose_name=_("ends at"))
    place = SingleLineCharField(max_length=200, blank=True, verbose_name=_("place"))
    video_url = models.URLField(max_length=500, blank=True, verbose_name=_("video url"))
    facilitator = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    secretary = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("secretary"),
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED, verbose_name=_("state"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))
    cancel_reason = SingleLineCharField(max_length=300, blank=True, verbose_name=_("cancel reason"))
    agenda_published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("agenda published at"))
    agenda_published_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agenda published by"),
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text=_("iCalendar SEQUENCE: bumped on each change."), verbose_name=_("sequence")
    )
    created_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["circle", "starts_at"]), models.Index(fields=["state", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.UniqueConstraint(
                fields=["series", "original_start"],
                condition=Q(series__isnull=False),
                name="meeting_one_row_per_occurrence",
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=True) | Q(original_start__isnull=False),
                name="meeting_occurrence_has_original_start",
            ),
            models.CheckConstraint(
                condition=Q(state="scheduled", cancelled_at__isnull=True)
                | Q(state="cancelled", cancelled_at__isnull=False),
                name="meeting_cancelled_at_matches_state",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self):
        return self.state == self.State.CANCELLED

    @property
    def agenda_is_published(self):
        return self.agenda_published_at is not None

    @property
    def has_started(self):
        return self.starts_at <= timezone.now()

    @property
    def has_ended(self):
        return self.ends_at <= timezone.now()

    @property
    def duration_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Tension(models.Model):
    """A gap a member senses between what is and what could be. Open, then on an agenda, then
    resolved: with a note, or by becoming an action item; or it becomes a proposal and stays "in a
    proposal" until that round closes (resolved then) or is withdrawn (open again)."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ON_AGENDA = "on_agenda", _("On an agenda")
        IN_PROPOSAL = "in_proposal", _("In a proposal")
        RESOLVED = "resolved", _("Resolved")

    class Resolution(models.TextChoices):
        NOTE = "note", _("Resolved with a note")
        PROPOSAL = "proposal", _("Turned into a proposal")
        ACTION = "action", _("Turned into an action item")

    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="tensions", verbose_name=_("organisation")
    )
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.PROTECT, related_name="tensions", verbose_name=_("circle")
    )
    raised_by = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="tensions_raised", verbose_name=_("raised by")
    )
    title = SingleLineCharField(max_length=200, verbose_name=_("title"))
    description = models.TextField(
        blank=True, help_text=_("Markdown: what is, and what could be."), verbose_name=_("description")
    )
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.OPEN, db_index=True, verbose_name=_("state")
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True, verbose_name=_("resolution"))
    resolution_note = models.TextField(blank=True, verbose_name=_("resolution note"))
    proposal = models.ForeignKey(
        "proposals.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tensions",
        verbose_name=_("proposal"),
    )
    resolved_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("tension")
        verbose_name_plural = _("tensions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["circle", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="resolved", resolved_at__isnull=False) & ~Q(resolution="")
                | Q(state__in=["open", "on_agenda", "in_proposal"], resolved_at__isnull=True, resolution=""),
                name="tension_resolution_matches_state",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_resolved(self):
        return self.state == self.State.RESOLVED

    @property
    def is_in_proposal(self):
        return self.state == self.State.IN_PROPOSAL


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        CHECK_IN = "check_in", _("Check-in")
        REPORT = "report", _("Report")
        TENSION = "tension", _("Tension")
        PROPOSAL = "proposal", _("Proposal")
        ELECTION = "election", _("Election")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER, verbose_name=_("kind"))
    title = SingleLineCharField(max_length=200, verbose_name=_("title"))
    notes = models.TextField(blank=True, help_text=_("Markdown."), verbose_name=_("notes"))
    owner = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    time_box = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Minutes."), verbose_name=_("time box")
    )
    tension = models.ForeignKey(
        Tension, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("tension")
    )
    proposal = models.ForeignKey(
        "proposals.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
        verbose_name=_("proposal"),
    )
    added_by = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    removed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("removed at"))
    removed_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("removed by"),
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(time_box__isnull=True) | Q(time_box__gte=1, time_box__lte=600),
                name="agenda_item_time_box_range",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_current(self):
        return self.removed_at is None


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting"))
    member = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="attendance", verbose_name=_("member")
    )
    status = models.CharField(max_length=8, choices=Status.choices, verbose_name=_("status"))
    recorded_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(default=timezone.now, verbose_name=_("recorded at"))

    class Meta:
        verbose_name = _("attendance")
        ordering = ["meeting", "member__user__name"]
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")]

    def __str__(self):
        return gettext("%(person)s: %(status)s at %(meeting)s") % {
            "person": self.member.user,
            "status": self.get_status_display().lower(),
            "meeting": self.meeting,
        }


class Reply(models.Model):
    """A member's word ahead of a meeting: coming or not. It is theirs to change until the meeting
    starts; the secretary's attendance sheet starts from it (someone who said they cannot come is
    proposed as excused). Each change is kept in the event log."""

    class Answer(models.TextChoices):
        COMING = "coming", _("Coming")
        MAYBE = "maybe", _("Maybe")
        NOT_COMING = "not_coming", _("Not coming")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="replies", verbose_name=_("meeting"))
    member = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="meeting_replies", verbose_name=_("member")
    )
    answer = models.CharField(max_length=10, choices=Answer.choices, verbose_name=_("answer"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("reply")
        ordering = ["meeting", "member__user__name"]
        verbose_name_plural = _("replies")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="reply_once_per_member")]

    def __str__(self):
        return gettext("%(person)s: %(answer)s to %(meeting)s") % {
            "person": self.member.user,
            "answer": self.get_answer_display().lower(),
            "meeting": self.meeting,
        }


class Minutes(models.Model):
    """The minutes of a meeting: a draft the secretary edits, then published (locked). Corrections
    after publication are new versions; each published text is kept in MinutesVersion."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("meeting"))
    body = models.TextField(help_text=_("Markdown."), verbose_name=_("body"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT, verbose_name=_("state"))
    version = models.PositiveSmallIntegerField(
        default=0, help_text=_("The number of the latest published version."), verbose_name=_("version")
    )
    updated_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("updated at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    published_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft", published_at__isnull=True, version=0)
                | Q(state="published", published_at__isnull=False, version__gte=1),
                name="minutes_published_has_a_version",
            ),
        ]

    def __str__(self):
        return gettext("Minutes of %(meeting)s") % {"meeting": self.meeting}

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED


class MinutesVersion(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions", verbose_name=_("minutes"))
    number = models.PositiveSmallIntegerField(verbose_name=_("number"))
    body = models.TextField(verbose_name=_("body"))
    note = SingleLineCharField(
        max_length=300, blank=True, help_text=_("What a correction changed."), verbose_name=_("note")
    )
    author = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        ordering = ["minutes", "number"]
        constraints = [models.UniqueConstraint(fields=["minutes", "number"], name="minutes_version_unique_number")]

    def __str__(self):
        return gettext("%(minutes)s v%(number)s") % {"minutes": self.minutes, "number": self.number}


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    ACTIVE = (Status.OPEN, Status.IN_PROGRESS)

    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="action_items", verbose_name=_("organisation")
    )
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.PROTECT, related_name="action_items", verbose_name=_("circle")
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("meeting")
    )
    tension = models.ForeignKey(
        Tension, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("tension")
    )
    title = SingleLineCharField(max_length=200, verbose_name=_("title"))
    notes = models.TextField(blank=True, help_text=_("Markdown."), verbose_name=_("notes"))
    owner = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="action_items", verbose_name=_("owner")
    )
    due = SaneDateField(null=True, blank=True, verbose_name=_("due"))
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True, verbose_name=_("status")
    )
    created_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["circle", "status"])]

    def __str__(self):
        return self.title

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    def is_overdue_on(self, today) -> bool:
        return self.is_active and self.due is not None and self.due < today


class CalendarFeed(models.Model):
    """A private iCalendar feed behind a secret URL: a member's meetings (all their circles), or one
    circle's. Only a hash of the token is stored; revoking it ends the URL."""

    member = models.ForeignKey(
        "governance.Member", on_delete=models.CASCADE, related_name="calendar_feeds", verbose_name=_("member")
    )
    circle = models.ForeignKey(
        "circles.Circle",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: all mine."),
        verbose_name=_("circle"),
    )
    prefix = SingleLineCharField(max_length=12, verbose_name=_("prefix"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("token hash"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "circle"],
                condition=Q(revoked_at__isnull=True, circle__isnull=False),
                name="calendar_feed_one_live_per_circle",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(revoked_at__isnull=True, circle__isnull=True),
                name="calendar_feed_one_live_of_all_mine",
            ),
        ]

    def __str__(self):
        return gettext("Calendar of %(person)s (%(circle)s)") % {
            "person": self.member.user,
            "circle": self.circle or gettext("all my circles"),
        }

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = "cal_" + secrets.token_urlsafe(24)
        return token, hash_token(token)

    @staticmethod
    def hash_token(token: str) -> str:
        return hash_token(token)

    @property
    def is_live(self):
        return self.revoked_at is None
