"""Polls: questions a circle answers that decide nothing by themselves.

- A **score poll** asks each member to score every option from 0 to `score_max`.
- A **dot vote** gives each member `points` dots to spread over the options as they like.
- A **time poll** proposes slots for a meeting; members mark each one yes, if need be, or no, and
  the organiser picks one, which schedules the meeting (polls.services.time_poll_pick).

One answer row per member and option (changeable while the poll is open). A poll is not a secret
vote: who answered what is shown to the circle on time polls (as a scheduling grid does), while
score polls and dot votes publish only the totals per option and how many answered."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.dates import SaneDateTimeField
from governance.text import SingleLineCharField


class Poll(models.Model):
    class Kind(models.TextChoices):
        SCORE = "score", _("Score poll")
        DOTS = "dots", _("Dot vote")
        TIME = "time", _("Time poll")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey("governance.Organisation", on_delete=models.CASCADE, related_name="polls")
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT, related_name="polls")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = SingleLineCharField(max_length=200)
    body = models.TextField(blank=True, help_text=_("Markdown."))
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN, db_index=True)
    points = models.PositiveSmallIntegerField(default=10, help_text=_("Dot vote: the dots each member spreads."))
    score_max = models.PositiveSmallIntegerField(default=5, help_text=_("Score poll: the highest score."))
    duration_minutes = models.PositiveSmallIntegerField(default=60, help_text=_("Time poll: the meeting's length."))
    created_by = models.ForeignKey("governance.Member", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closes_at = SaneDateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    picked = models.ForeignKey(
        "PollOption", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text=_("Time poll.")
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="polls"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=1), name="poll_at_least_one_point"),
            models.CheckConstraint(condition=Q(score_max__gte=1), name="poll_score_max_positive"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN and (self.closes_at is None or timezone.now() < self.closes_at)


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = SingleLineCharField(max_length=200)
    starts_at = SaneDateTimeField(null=True, blank=True, help_text=_("Time poll: the slot's start."))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["poll", "position", "id"]

    def __str__(self):
        return self.label


class PollAnswer(models.Model):
    """A member's answer on one option: a score, a number of dots, or 2 yes / 1 if need be / 0 no."""

    YES, IF_NEED_BE, NO = 2, 1, 0

    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="answers")
    member = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField()
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["option", "id"]
        constraints = [models.UniqueConstraint(fields=["option", "member"], name="poll_answer_once_per_option")]

    def __str__(self):
        return f"{self.member} on {self.option}: {self.value}"
