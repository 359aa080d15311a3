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
from django.utils.translation import gettext_lazy as _

from governance.dates import SaneDateField, SaneDateTimeField
from governance.models import hash_token
from governance.text import SingleLineCharField


class Kind(models.TextChoices):
    GOVERNANCE = "governance", "Governance meeting"
    OPERATIONAL = "operational", "Operational meeting"
    ALL_HANDS = "all_hands", "All hands"
    GENERAL_ASSEMBLY = "general_assembly", "General assembly"
    RETROSPECTIVE = "retrospective", "Retrospective"


class MeetingSettings(models.Model):
    """An organisation's meeting habits. One row per organisation, created with the defaults on first use."""

    organisation = models.OneToOneField(
        "governance.Organisation", on_delete=models.CASCADE, related_name="meeting_settings"
    )
    agenda_due_days = models.PositiveSmallIntegerField(
        default=2, help_text="How many days before a meeting its agenda should be published."
    )
    quorum_percent = models.PositiveSmallIntegerField(
        default=50, help_text="Share of the circle's roster that must be present for a quorum, in %."
    )

    class Meta:
        verbose_name_plural = "meeting settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_percent__gte=1, quorum_percent__lte=100), name="meeting_settings_quorum_percentage"
            ),
            models.CheckConstraint(condition=Q(agenda_due_days__lte=60), name="meeting_settings_agenda_due_days_range"),
        ]

    def __str__(self):
        return f"Meeting settings of {self.organisation}"


class CircleMeetingSettings(models.Model):
    """What one circle decided about its meetings, over the organisation's habits: how early its agendas
    are due and how often it means to meet. Changed by the circle's decisions (meetings/changes.py)."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Every month"
        QUARTERLY = "quarterly", "Every three months"

    circle = models.OneToOneField("circles.Circle", on_delete=models.CASCADE, related_name="meeting_settings")
    agenda_due_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days before a meeting its agenda is due (empty: the organisation's)."
    )
    cadence = models.CharField(max_length=12, choices=Cadence.choices, blank=True, help_text="How often it meets.")

    class Meta:
        verbose_name_plural = "circle meeting settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(agenda_due_days__isnull=True) | Q(agenda_due_days__lte=60),
                name="circle_meeting_settings_agenda_due_days_range",
            ),
        ]

    def __str__(self):
        return f"Meeting settings of {self.circle}"


class MeetingSeries(models.Model):
    """A recurring meeting: its rule (RFC 5545, without UNTIL, which lives in `until`), the first
    occurrence's start and the duration. Times recur at the same wall-clock time in `time_zone`,
    across daylight-saving changes."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Every month (same weekday, e.g. the second Tuesday)"
        CUSTOM = "custom", "Custom rule (RFC 5545 RRULE)"

    organisation = models.ForeignKey("governance.Organisation", on_delete=models.CASCADE, related_name="+")
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT, related_name="meeting_series")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GOVERNANCE)
    title = SingleLineCharField(max_length=200)
    place = SingleLineCharField(max_length=200, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    facilitator = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    secretary = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = SaneDateTimeField(help_text="The first occurrence.")
    duration = models.DurationField()
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.WEEKLY)
    rrule = SingleLineCharField(max_length=300, help_text="RFC 5545 recurrence rule, e.g. FREQ=WEEKLY;INTERVAL=2.")
    until = SaneDateField(null=True, blank=True, help_text="The last day on which it may occur.")
    time_zone = SingleLineCharField(max_length=64)
    created_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When the series was ended or rescheduled.")

    class Meta:
        ordering = ["circle", "starts_at"]
        verbose_name_plural = "meeting series"

    def __str__(self):
        return f"{self.title} ({self.get_frequency_display().lower()})"

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
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    organisation = models.ForeignKey("governance.Organisation", on_delete=models.CASCADE, related_name="meetings")
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT, related_name="meetings")
    series = models.ForeignKey(
        MeetingSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="occurrences"
    )
    original_start = models.DateTimeField(null=True, blank=True, help_text="The start the series' rule gave it.")
    is_edited = models.BooleanField(default=False, help_text="Changed on its own, apart from its series.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GOVERNANCE)
    title = SingleLineCharField(max_length=200)
    starts_at = SaneDateTimeField(db_index=True)
    ends_at = SaneDateTimeField()
    place = SingleLineCharField(max_length=200, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    facilitator = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    secretary = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = SingleLineCharField(max_length=300, blank=True)
    agenda_published_at = models.DateTimeField(null=True, blank=True)
    agenda_published_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: bumped on each change.")
    created_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
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
        NOTE = "note", "Resolved with a note"
        PROPOSAL = "proposal", "Turned into a proposal"
        ACTION = "action", "Turned into an action item"

    organisation = models.ForeignKey("governance.Organisation", on_delete=models.CASCADE, related_name="tensions")
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT, related_name="tensions")
    raised_by = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="tensions_raised")
    title = SingleLineCharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown: what is, and what could be.")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN, db_index=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    proposal = models.ForeignKey(
        "proposals.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="tensions"
    )
    resolved_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
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
        CHECK_IN = "check_in", "Check-in"
        REPORT = "report", "Report"
        TENSION = "tension", "Tension"
        PROPOSAL = "proposal", "Proposal"
        ELECTION = "election", "Election"
        OTHER = "other", "Other"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    title = SingleLineCharField(max_length=200)
    notes = models.TextField(blank=True, help_text="Markdown.")
    owner = models.ForeignKey("governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    time_box = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Minutes.")
    tension = models.ForeignKey(Tension, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items")
    proposal = models.ForeignKey(
        "proposals.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    added_by = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
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
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=8, choices=Status.choices)
    recorded_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "member__user__name"]
        verbose_name_plural = "attendance"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")]

    def __str__(self):
        return f"{self.member.user}: {self.get_status_display().lower()} at {self.meeting}"


class Reply(models.Model):
    """A member's word ahead of a meeting: coming or not. It is theirs to change until the meeting
    starts; the secretary's attendance sheet starts from it (someone who said they cannot come is
    proposed as excused). Each change is kept in the event log."""

    class Answer(models.TextChoices):
        COMING = "coming", _("Coming")
        MAYBE = "maybe", _("Maybe")
        NOT_COMING = "not_coming", _("Not coming")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="replies")
    member = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="meeting_replies")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "member__user__name"]
        verbose_name_plural = "replies"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="reply_once_per_member")]

    def __str__(self):
        return f"{self.member.user}: {self.get_answer_display().lower()} to {self.meeting}"


class Minutes(models.Model):
    """The minutes of a meeting: a draft the secretary edits, then published (locked). Corrections
    after publication are new versions; each published text is kept in MinutesVersion."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    body = models.TextField(help_text="Markdown.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveSmallIntegerField(default=0, help_text="The number of the latest published version.")
    updated_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "minutes"
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft", published_at__isnull=True, version=0)
                | Q(state="published", published_at__isnull=False, version__gte=1),
                name="minutes_published_has_a_version",
            ),
        ]

    def __str__(self):
        return f"Minutes of {self.meeting}"

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED


class MinutesVersion(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    body = models.TextField()
    note = SingleLineCharField(max_length=300, blank=True, help_text="What a correction changed.")
    author = models.ForeignKey("governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["minutes", "number"]
        constraints = [models.UniqueConstraint(fields=["minutes", "number"], name="minutes_version_unique_number")]

    def __str__(self):
        return f"{self.minutes} v{self.number}"


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "To do"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    ACTIVE = (Status.OPEN, Status.IN_PROGRESS)

    organisation = models.ForeignKey("governance.Organisation", on_delete=models.CASCADE, related_name="action_items")
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT, related_name="action_items")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items")
    tension = models.ForeignKey(Tension, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items")
    title = SingleLineCharField(max_length=200)
    notes = models.TextField(blank=True, help_text="Markdown.")
    owner = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="action_items")
    due = SaneDateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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

    member = models.ForeignKey("governance.Member", on_delete=models.CASCADE, related_name="calendar_feeds")
    circle = models.ForeignKey(
        "circles.Circle",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: all mine.",
    )
    prefix = SingleLineCharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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
        return f"Calendar of {self.member.user} ({self.circle or 'all my circles'})"

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
