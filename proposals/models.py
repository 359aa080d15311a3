"""Proposals decided by consent or weighted majority.

A proposal is drafted, opened (which snapshots who may vote, with their weight), collects positions
until `closes_at`, and is closed by a sweep with an outcome and its tally stored. Amendments are new
versions; changed positions are new rows. Nothing here is overwritten or deleted."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.dates import SaneDateField, SaneDateTimeField
from governance.text import SingleLineCharField


class Method(models.TextChoices):
    CONSENT = "consent", _("Consent")
    MAJORITY = "majority", _("Majority vote")


class Threshold(models.TextChoices):
    SIMPLE = "simple", _("Simple majority (more than half)")
    TWO_THIRDS = "two_thirds", _("Two thirds")


class Kind(models.TextChoices):
    CONSENT = "consent", _("Consent")
    CONCERN = "concern", _("Concern")
    OBJECTION = "objection", _("Objection")
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    ABSTAIN = "abstain", _("Abstain")


KINDS_FOR_METHOD = {
    Method.CONSENT: [Kind.CONSENT, Kind.CONCERN, Kind.OBJECTION, Kind.ABSTAIN],
    Method.MAJORITY: [Kind.AGREE, Kind.DISAGREE, Kind.ABSTAIN],
}
KINDS_NEEDING_REASON = {Kind.CONCERN, Kind.OBJECTION}


class Proposal(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("proposal state", "Draft")
        OPEN = "open", pgettext_lazy("proposal state", "Open")
        CLOSED = "closed", pgettext_lazy("proposal state", "Closed")
        WITHDRAWN = "withdrawn", pgettext_lazy("proposal state", "Withdrawn")

    class Outcome(models.TextChoices):
        PASSED = "passed", pgettext_lazy("proposal outcome", "Passed")
        REJECTED = "rejected", pgettext_lazy("proposal outcome", "Rejected")
        NO_QUORUM = "no_quorum", pgettext_lazy("proposal outcome", "No quorum")

    organisation = models.ForeignKey(
        "governance.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="proposals"
    )
    circle = models.ForeignKey(
        "circles.Circle", verbose_name=_("circle"), on_delete=models.PROTECT, related_name="proposals"
    )
    author = models.ForeignKey(
        "governance.Member", verbose_name=_("author"), on_delete=models.PROTECT, related_name="proposals"
    )
    title = SingleLineCharField(verbose_name=_("title"), max_length=200)
    body = models.TextField(verbose_name=_("body"), help_text=_("Markdown."))
    method = models.CharField(verbose_name=_("method"), max_length=10, choices=Method.choices, default=Method.CONSENT)
    threshold = models.CharField(
        verbose_name=_("threshold"),
        max_length=12,
        choices=Threshold.choices,
        default=Threshold.SIMPLE,
        help_text=_("For majority votes."),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        verbose_name=_("quorum (%)"),
        null=True,
        blank=True,
        help_text=_("Share of the eligible voting weight that must respond (any position)."),
    )
    anonymous = models.BooleanField(
        verbose_name=_("anonymous"),
        default=False,
        help_text=_("Nobody but the member sees who took which position, ever; counts are shown after the close."),
    )
    hidden_results = models.BooleanField(
        verbose_name=_("hidden results"),
        default=False,
        help_text=_("Counts by kind are shown only after the close (always so in an anonymous round)."),
    )
    early_close = models.BooleanField(
        verbose_name=_("early close"),
        default=False,
        help_text=_("Close as soon as everyone eligible has responded and nobody objects."),
    )
    state = models.CharField(verbose_name=_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveSmallIntegerField(verbose_name=_("version"), default=1)
    round_length = models.DurationField(
        verbose_name=_("round length"), help_text=_("How long a round lasts; an amendment restarts it.")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(verbose_name=_("opened at"), null=True, blank=True)
    closes_at = SaneDateTimeField(verbose_name=_("closes at"), null=True, blank=True)
    closed_at = models.DateTimeField(verbose_name=_("closed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(verbose_name=_("withdrawn at"), null=True, blank=True)
    # The live tally: {kind: [heads, weight]}, kept equal to a recount of current positions by
    # position_record under the proposal's row lock (so a page never aggregates 100,000 rows).
    tally = models.JSONField(verbose_name=_("tally"), default=dict, blank=True)
    eligible_count = models.PositiveIntegerField(verbose_name=_("eligible count"), default=0)
    eligible_weight = models.PositiveIntegerField(verbose_name=_("eligible weight"), default=0)
    outcome = models.CharField(verbose_name=_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_statement = models.TextField(
        verbose_name=_("outcome statement"), blank=True, help_text=_("Markdown. What was decided, in plain words.")
    )
    outcome_by = models.ForeignKey(
        "governance.Member",
        verbose_name=_("outcome stated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_date = SaneDateField(
        verbose_name=_("review date"), null=True, blank=True, help_text=_("When the agreement should be reviewed.")
    )
    # Enactment of the changes the proposal carries (proposals.changes): None until a passed round
    # with changes is closed; True when every change applied; False ("passed, not enacted") when one
    # could no longer apply, with the reason, and none was applied.
    enacted = models.BooleanField(verbose_name=_("enacted"), null=True, blank=True, default=None)
    enactment_error = models.TextField(verbose_name=_("enactment error"), blank=True)
    enacted_at = models.DateTimeField(verbose_name=_("enacted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The closing sweep's claim (due rounds in order of closing, then id) reads the first
            # of a batch in index order, even when thousands close at the same moment; a query on
            # the state alone uses it too, so the state has no index of its own (every index is
            # written again when a round closes).
            models.Index(fields=["state", "closes_at", "id"], name="proposal_due"),
            models.Index(fields=["circle", "state"]),
            models.Index(fields=["organisation", "state", "-closed_at"]),
            # Lists (API, circle pages) show the newest first: read in index order, not sorted whole.
            models.Index(fields=["organisation", "-created_at", "-id"], name="proposal_org_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_percent__isnull=True) | Q(quorum_percent__gte=1, quorum_percent__lte=100),
                name="proposal_quorum_is_a_percentage",
            ),
            models.CheckConstraint(condition=~Q(state="closed") | ~Q(outcome=""), name="proposal_closed_has_outcome"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(opened_at__isnull=False) | Q(state="withdrawn"),
                name="proposal_opened_at_when_opened",
            ),
        ]

    def __str__(self):
        return self.title

    def get_outcome_display(self) -> str:
        """The outcome's label, as Django's own method gives it (the stored value if it is none of
        the choices), without building and hashing the field's translated choices at every call:
        the closing sweep's email asks three times for each of thousands of rounds."""
        try:
            return str(self.Outcome(self.outcome).label)
        except ValueError:
            return self.outcome

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    @property
    def passed_not_enacted(self):
        return self.state == self.State.CLOSED and self.outcome == self.Outcome.PASSED and self.enacted is False

    def deadline_passed(self, now=None) -> bool:
        """Whether the round's deadline has come, closed by the sweep yet or not. From then on the only
        thing that may happen to the round is its close: no position, amendment or withdrawal."""
        return self.closes_at is not None and (now or timezone.now()) >= self.closes_at

    @property
    def results_hidden(self) -> bool:
        """Whether counts by kind (and so any position) must stay out of every page, answer, event and
        email: until the round closes, in a round with hidden results (every anonymous round is one)."""
        return (self.hidden_results or self.anonymous) and self.state != self.State.CLOSED

    @property
    def kinds(self):
        return KINDS_FOR_METHOD[Method(self.method)]

    def heads(self, kind):
        return (self.tally.get(kind) or [0, 0])[0]

    def weight(self, kind):
        return (self.tally.get(kind) or [0, 0])[1]

    @property
    def responded_count(self):
        return sum(v[0] for v in self.tally.values())

    @property
    def responded_weight(self):
        return sum(v[1] for v in self.tally.values())

    @property
    def quorum_met(self):
        if not self.quorum_percent:
            return True
        return self.responded_weight * 100 >= self.quorum_percent * self.eligible_weight


class ProposalVersion(models.Model):
    """The text of a proposal as it stood. Amending an open proposal adds a version."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(verbose_name=_("number"))
    title = SingleLineCharField(verbose_name=_("title"), max_length=200)
    body = models.TextField(verbose_name=_("body"))
    change_note = SingleLineCharField(verbose_name=_("change note"), max_length=300, blank=True)
    author = models.ForeignKey(
        "governance.Member", verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("proposal version")
        verbose_name_plural = _("proposal versions")
        ordering = ["proposal", "number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique_number")]

    def __str__(self):
        return f"{self.proposal} v{self.number}"


class EligibleVoter(models.Model):
    """Who may take a position in this round, and with what weight, fixed when the round opens."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="eligible_voters"
    )
    # Indexed with the proposal (below): "the rounds I am asked in" reads the index alone.
    member = models.ForeignKey(
        "governance.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    weight = models.PositiveSmallIntegerField(verbose_name=_("weight"))

    class Meta:
        verbose_name = _("eligible voter")
        verbose_name_plural = _("eligible voters")
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="eligible_voter_unique")]
        indexes = [models.Index(fields=["member", "proposal"], name="eligible_voter_by_member")]

    def __str__(self):
        return f"{self.member} on {self.proposal} ({self.weight})"


class Position(models.Model):
    """A member's position on one version of a proposal. Changing it adds a row and retires the old
    one; at most one row per member and proposal is current (a partial unique constraint)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="positions"
    )
    member = models.ForeignKey(
        "governance.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="positions"
    )
    version = models.PositiveSmallIntegerField(verbose_name=_("version"))
    kind = models.CharField(verbose_name=_("kind"), max_length=10, choices=Kind.choices)
    reason = models.TextField(verbose_name=_("reason"), blank=True)
    weight = models.PositiveSmallIntegerField(verbose_name=_("weight"))
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    # A position a proxy holder recorded for the member (None: the member's own). Eligibility and
    # weight stay the member's snapshot; the holder is who acted.
    proxy = models.ForeignKey(
        "Proxy", verbose_name=_("proxy"), null=True, blank=True, on_delete=models.PROTECT, related_name="positions"
    )
    by_proxy = models.ForeignKey(
        "governance.Member",
        verbose_name=_("recorded by (proxy holder)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proxy_positions",
    )
    is_current = models.BooleanField(verbose_name=_("current"), default=True)
    retired_at = models.DateTimeField(verbose_name=_("retired at"), null=True, blank=True)
    retired_because = models.CharField(
        verbose_name=_("retired because"),
        max_length=12,
        blank=True,
        choices=[
            ("changed", _("Changed")),
            ("withdrawn", _("Objection withdrawn")),
            ("amended", _("Proposal amended")),
        ],
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["proposal", "is_current", "kind"]),
            # The proposal page's newest current positions: 50 entries read from this index, however
            # many positions (current and retired) the proposal has.
            models.Index(
                fields=["proposal", "-created_at", "-id"], condition=Q(is_current=True), name="position_current_newest"
            ),
            # A member's own positions in a round, newest first (their history on the page): read from
            # this index however many positions the round has, whatever plan the database keeps for it.
            models.Index(fields=["member", "proposal", "-created_at", "-id"], name="position_history"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member"], condition=Q(is_current=True), name="position_one_current_per_member"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["concern", "objection"]) | ~Q(reason=""), name="position_reason_when_needed"
            ),
        ]

    def __str__(self):
        return f"{self.kind} on {self.proposal}"


class Comment(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        "governance.Member", verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(verbose_name=_("body"), help_text=_("Markdown."))
    is_question = models.BooleanField(verbose_name=_("question"), default=False, help_text=_("A clarifying question."))
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["proposal", "created_at"])]

    def __str__(self):
        return f"Comment on {self.proposal}"


class Proxy(models.Model):
    """A member (the grantor) lets another member (the holder) respond for them: in one round, or in
    every round of a circle until revoked. Ending a proxy sets `revoked_at`; nothing is deleted."""

    class EndReason(models.TextChoices):
        REVOKED = "revoked", _("Revoked")
        HOLDER_LEFT = "holder_left", _("The holder left")
        GRANTOR_LEFT = "grantor_left", _("The grantor left")

    organisation = models.ForeignKey(
        "governance.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="proxies"
    )
    grantor = models.ForeignKey(
        "governance.Member", verbose_name=_("grantor"), on_delete=models.PROTECT, related_name="proxies_given"
    )
    holder = models.ForeignKey(
        "governance.Member", verbose_name=_("holder"), on_delete=models.PROTECT, related_name="proxies_held"
    )
    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proxies",
        help_text=_("One round."),
    )
    circle = models.ForeignKey(
        "circles.Circle",
        verbose_name=_("circle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proxies",
        help_text=_("Every round of the circle, until revoked."),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(verbose_name=_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "governance.Member",
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    end_reason = models.CharField(verbose_name=_("end reason"), max_length=12, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        indexes = [models.Index(fields=["holder", "revoked_at"]), models.Index(fields=["grantor", "revoked_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal__isnull=True, circle__isnull=False)
                | Q(proposal__isnull=False, circle__isnull=True),
                name="proxy_for_a_round_or_a_circle",
            ),
            models.CheckConstraint(condition=~Q(grantor=models.F("holder")), name="proxy_not_to_oneself"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, end_reason="") | Q(revoked_at__isnull=False) & ~Q(end_reason=""),
                name="proxy_end_has_reason",
            ),
            # One active proxy per grantor and scope: whom one's vote goes to is never ambiguous.
            models.UniqueConstraint(
                fields=["grantor", "proposal"],
                condition=Q(revoked_at__isnull=True, proposal__isnull=False),
                name="proxy_one_active_per_round",
            ),
            models.UniqueConstraint(
                fields=["grantor", "circle"],
                condition=Q(revoked_at__isnull=True, circle__isnull=False),
                name="proxy_one_active_per_circle",
            ),
        ]

    def __str__(self):
        return f"{self.grantor} → {self.holder}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Change(models.Model):
    """One change a proposal carries (governance.changes): its kind's key and its data, validated when
    drafted, when the round opens and when it closes, applied when the round passes. `description` is
    what the page shows, before → after, stored as JSON: refreshed when drafted and opened, and frozen
    when applied, so the record reads the same after the structure moves on."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="changes")
    ordinal = models.PositiveSmallIntegerField(
        verbose_name=_("order"), help_text=_("Its place among the proposal's changes; applied in order.")
    )
    kind = SingleLineCharField(
        verbose_name=_("kind"), max_length=60, help_text=_("The kind's key, e.g. 'circle.amend'.")
    )
    data = models.JSONField(verbose_name=_("data"), default=dict, blank=True)
    description = models.JSONField(verbose_name=_("description"), default=dict, blank=True)
    applied_at = models.DateTimeField(verbose_name=_("applied at"), null=True, blank=True)
    error = models.TextField(
        verbose_name=_("error"), blank=True, help_text=_("Why it could not apply (or be opened), if it could not.")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["proposal", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["proposal", "ordinal"], name="change_unique_ordinal")]
        indexes = [models.Index(fields=["kind", "-applied_at"], name="change_kind_applied")]

    def __str__(self):
        return (self.description or {}).get("summary") or self.kind

    @property
    def summary(self):
        return (self.description or {}).get("summary") or self.kind
