"""What the record app keeps of its own: each organisation's choices about its open record and its
health guidance, each member's choice to stay off the leaderboards, term summaries, and the erasures
done at a member's request. Every figure it shows is read from the other apps' records."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.text import SingleLineCharField

# The events an organisation may show in its public council log. Nothing here reveals a position, a
# ballot, a draft or an email: an opened or closed round, an outcome, a seat filled, minutes published.
PUBLIC_VERBS = {
    "proposal.opened": _("Proposal opened"),
    "proposal.closed": _("Proposal decided"),
    "proposal.outcome_written": _("Outcome statement written"),
    "election.opened": _("Election opened"),
    "election.closed": _("Election closed"),
    "meeting.scheduled": _("Meeting scheduled"),
    "agenda.published": _("Agenda published"),
    "minutes.published": _("Minutes published"),
    "circle.created": _("Circle created"),
    "circle.archived": _("Circle archived"),
    "role.created": _("Role created"),
    "role.assigned": _("Role assigned"),
    "term_summary.published": _("Term summary published"),
}


class RecordSettings(models.Model):
    """An organisation's open record and health guidance (one row, made when first saved)."""

    organisation = models.OneToOneField(
        "governance.Organisation",
        on_delete=models.CASCADE,
        related_name="record_settings",
        verbose_name=_("organisation"),
    )
    public_decisions = models.BooleanField(
        _("public decision log"), default=False, help_text=_("Closed rounds with their outcome, readable by anyone.")
    )
    public_log = models.BooleanField(
        _("public council log"), default=False, help_text=_("The events chosen below, readable by anyone.")
    )
    public_log_verbs = models.JSONField(
        _("events in the public log"), default=list, blank=True, help_text=_("Keys of PUBLIC_VERBS.")
    )
    public_roles = models.BooleanField(
        _("public role directory"), default=False, help_text=_("Who does what: roles and their holders' names.")
    )
    public_minutes = models.BooleanField(
        _("published minutes in public"), default=False, help_text=_("Published minutes, readable by anyone.")
    )
    split_size = models.PositiveIntegerField(
        _("split guidance size"),
        default=100,
        help_text=_("Past this many active members, the dashboard suggests it may be time to split."),
    )
    hours_flag = models.DecimalField(
        _("role load flag (hours a week)"),
        max_digits=5,
        decimal_places=1,
        default=30,
        help_text=_("A member whose roles add up to this many hours a week or more is flagged."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("record settings")
        verbose_name_plural = _("record settings")
        constraints = [
            models.CheckConstraint(condition=Q(split_size__gte=2), name="record_settings_split_size_at_least_two"),
            models.CheckConstraint(condition=Q(hours_flag__gt=0), name="record_settings_hours_flag_positive"),
        ]

    def __str__(self):
        return _("Record settings of %(organisation)s") % {"organisation": self.organisation}

    @property
    def is_open(self) -> bool:
        return self.public_decisions or self.public_log or self.public_roles or self.public_minutes


class ParticipationPreference(models.Model):
    """A member's choice to be left off leaderboards shown to others. Their counts stay in the totals."""

    member = models.OneToOneField(
        "governance.Member", on_delete=models.CASCADE, related_name="participation_pref", verbose_name=_("member")
    )
    hide_from_leaderboard = models.BooleanField(_("hide me from leaderboards"), default=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("participation preference")

    def __str__(self):
        shown = _("hidden") if self.hide_from_leaderboard else _("shown")
        return f"{self.member}: {shown}"


class TermSummary(models.Model):
    """A summary of one term of a circle (or council), drafted from the record, edited, published."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.PROTECT, related_name="term_summaries", verbose_name=_("circle")
    )
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    title = SingleLineCharField(_("title"), max_length=200)
    body = models.TextField(_("summary"), help_text=_("Markdown."))
    figures = models.JSONField(
        _("figures"), default=dict, blank=True, help_text=_("The figures the draft was written from.")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    drafted_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("term summary")
        verbose_name_plural = _("term summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "period_start", "period_end"], name="term_summary_one_per_circle_period"
            ),
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")), name="term_summary_period"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(published_at__isnull=False), name="term_summary_published_at"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED


class Erasure(models.Model):
    """A member erased at their request: who did it and when, and the pseudonym that replaced them.
    It names neither the person nor their email (that is the point)."""

    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    member = models.OneToOneField(
        "governance.Member", on_delete=models.PROTECT, related_name="erasure", verbose_name=_("member")
    )
    pseudonym = SingleLineCharField(_("pseudonym"), max_length=80)
    erased_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("erased by"),
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    rows_changed = models.PositiveIntegerField(_("rows changed"), default=0)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("erasure")

    def __str__(self):
        return self.pseudonym
