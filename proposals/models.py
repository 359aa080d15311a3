"""Proposals decided by consent or weighted majority.

A proposal is drafted, opened (which snapshots who may vote, with their weight), collects positions
until `closes_at`, and is closed by a sweep with an outcome and its tally stored. Amendments are new
versions; changed positions are new rows. Nothing here is overwritten or deleted."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from governance.dates import SaneDateField, SaneDateTimeField
from governance.text import SingleLineCharField


class Method(models.TextChoices):
    CONSENT = "consent", "Consent"
    MAJORITY = "majority", "Majority vote"


class Threshold(models.TextChoices):
    SIMPLE = "simple", "Simple majority (more than half)"
    TWO_THIRDS = "two_thirds", "Two thirds"


class Kind(models.TextChoices):
    CONSENT = "consent", "Consent"
    CONCERN = "concern", "Concern"
    OBJECTION = "objection", "Objection"
    AGREE = "agree", "Agree"
    DISAGREE = "disagree", "Disagree"
    ABSTAIN = "abstain", "Abstain"


KINDS_FOR_METHOD = {
    Method.CONSENT: [Kind.CONSENT, Kind.CONCERN, Kind.OBJECTION, Kind.ABSTAIN],
    Method.MAJORITY: [Kind.AGREE, Kind.DISAGREE, Kind.ABSTAIN],
}
KINDS_NEEDING_REASON = {Kind.CONCERN, Kind.OBJECTION}


class Proposal(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Outcome(models.TextChoices):
        PASSED = "passed", "Passed"
        REJECTED = "rejected", "Rejected"
        NO_QUORUM = "no_quorum", "No quorum"

    organisation = models.ForeignKey("governance.Organisation", on_delete=models.CASCADE, related_name="proposals")
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT, related_name="proposals")
    author = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="proposals")
    title = SingleLineCharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.CONSENT)
    threshold = models.CharField(
        max_length=12, choices=Threshold.choices, default=Threshold.SIMPLE, help_text="For majority votes."
    )
    quorum_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Share of the eligible voting weight that must respond (any position)."
    )
    anonymous = models.BooleanField(default=False, help_text="Counts are shown; who took which position never is.")
    early_close = models.BooleanField(
        default=False, help_text="Close as soon as everyone eligible has responded and nobody objects."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    version = models.PositiveSmallIntegerField(default=1)
    round_length = models.DurationField(help_text="How long a round lasts; an amendment restarts it.")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = SaneDateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The live tally: {kind: [heads, weight]}, kept equal to a recount of current positions by
    # position_record under the proposal's row lock (so a page never aggregates 100,000 rows).
    tally = models.JSONField(default=dict, blank=True)
    eligible_count = models.PositiveIntegerField(default=0)
    eligible_weight = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_statement = models.TextField(blank=True, help_text="Markdown. What was decided, in plain words.")
    outcome_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_date = SaneDateField(null=True, blank=True, help_text="When the agreement should be reviewed.")
    # Enactment of the changes the proposal carries (proposals.changes): None until a passed round
    # with changes is closed; True when every change applied; False ("passed, not enacted") when one
    # could no longer apply, with the reason, and none was applied.
    enacted = models.BooleanField(null=True, blank=True, default=None)
    enactment_error = models.TextField(blank=True)
    enacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "closes_at"]),
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

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    title = SingleLineCharField(max_length=200)
    body = models.TextField()
    change_note = SingleLineCharField(max_length=300, blank=True)
    author = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique_number")]

    def __str__(self):
        return f"{self.proposal} v{self.number}"


class EligibleVoter(models.Model):
    """Who may take a position in this round, and with what weight, fixed when the round opens."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="eligible_voters")
    member = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="eligible_voter_unique")]

    def __str__(self):
        return f"{self.member} on {self.proposal} ({self.weight})"


class Position(models.Model):
    """A member's position on one version of a proposal. Changing it adds a row and retires the old
    one; at most one row per member and proposal is current (a partial unique constraint)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="positions")
    member = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="positions")
    version = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    is_current = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_because = models.CharField(
        max_length=12,
        blank=True,
        choices=[("changed", "Changed"), ("withdrawn", "Objection withdrawn"), ("amended", "Proposal amended")],
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["proposal", "is_current", "kind"]),
            # The proposal page's newest current positions: 50 entries read from this index, however
            # many positions (current and retired) the proposal has.
            models.Index(
                fields=["proposal", "-created_at", "-id"], condition=Q(is_current=True), name="position_current_newest"
            ),
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
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="+")
    body = models.TextField(help_text="Markdown.")
    is_question = models.BooleanField(default=False, help_text="A clarifying question.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["proposal", "created_at"])]

    def __str__(self):
        return f"Comment on {self.proposal}"


class Change(models.Model):
    """One change a proposal carries (governance.changes): its kind's key and its data, validated when
    drafted, when the round opens and when it closes, applied when the round passes. `description` is
    what the page shows, before → after, stored as JSON: refreshed when drafted and opened, and frozen
    when applied, so the record reads the same after the structure moves on."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="changes")
    ordinal = models.PositiveSmallIntegerField(help_text="Its place among the proposal's changes; applied in order.")
    kind = SingleLineCharField(max_length=60, help_text="The kind's key, e.g. 'circle.amend'.")
    data = models.JSONField(default=dict, blank=True)
    description = models.JSONField(default=dict, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why it could not apply (or be opened), if it could not.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["proposal", "ordinal"], name="change_unique_ordinal")]
        indexes = [models.Index(fields=["kind", "-applied_at"], name="change_kind_applied")]

    def __str__(self):
        return (self.description or {}).get("summary") or self.kind

    @property
    def summary(self):
        return (self.description or {}).get("summary") or self.kind
