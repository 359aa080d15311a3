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
from django.utils.translation import pgettext_lazy

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

    organisation = models.ForeignKey(
        "governance.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="polls"
    )
    circle = models.ForeignKey(
        "circles.Circle", verbose_name=_("circle"), on_delete=models.PROTECT, related_name="polls"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = SingleLineCharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN, db_index=True)
    points = models.PositiveSmallIntegerField(
        _("points"), default=10, help_text=_("Dot vote: the dots each member spreads.")
    )
    score_max = models.PositiveSmallIntegerField(
        _("score max"), default=5, help_text=_("Score poll: the highest score.")
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration minutes"), default=60, help_text=_("Time poll: the meeting's length.")
    )
    created_by = models.ForeignKey(
        "governance.Member", verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closes_at = SaneDateTimeField(_("closes at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    picked = models.ForeignKey(
        "PollOption",
        verbose_name=_("picked"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Time poll."),
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="polls",
    )

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
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
    poll = models.ForeignKey(Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="options")
    label = SingleLineCharField(_("label"), max_length=200)
    starts_at = SaneDateTimeField(_("starts at"), null=True, blank=True, help_text=_("Time poll: the slot's start."))
    position = models.PositiveSmallIntegerField(pgettext_lazy("order in a list", "position"), default=0)

    class Meta:
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")
        ordering = ["poll", "position", "id"]

    def __str__(self):
        return self.label


class PollAnswer(models.Model):
    """A member's answer on one option: a score, a number of dots, or 2 yes / 1 if need be / 0 no."""

    YES, IF_NEED_BE, NO = 2, 1, 0

    option = models.ForeignKey(PollOption, verbose_name=_("option"), on_delete=models.CASCADE, related_name="answers")
    member = models.ForeignKey(
        "governance.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.PositiveSmallIntegerField(_("value"))
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        ordering = ["option", "id"]
        constraints = [models.UniqueConstraint(fields=["option", "member"], name="poll_answer_once_per_option")]

    def __str__(self):
        return f"{self.member} on {self.option}: {self.value}"
