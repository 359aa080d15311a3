"""Roles and who holds them, for how long, and how the next holder is chosen.

A role is defined in a circle (purpose, domains, accountabilities, time expected, seats, term length,
term limit, appointed or elected). An assignment is one term of one member in one role: it starts,
has a planned end, and is ended (never deleted) with a reason, so a role's history shows who held it
when. Elections choose the next holders, by consent (sociocratic selection, reusing a proposal's
consent round) or by ballot.

Ballot secrecy is kept by the shape of the data: `BallotVoter` says who may vote and whether they
have, `Ballot` says what was chosen and with what weight, and nothing links the two (a ballot has no
member, no timestamp and a random id, so neither its order nor its time betrays its voter)."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.dates import SaneDateTimeField
from governance.text import SingleLineCharField


class Selection(models.TextChoices):
    APPOINTED = "appointed", _("Appointed by the steward")
    ELECTED = "elected", _("Elected")


class ElectionMethod(models.TextChoices):
    SOCIOCRATIC = "sociocratic", _("Sociocratic selection (by consent)")
    BALLOT = "ballot", _("Ballot")


class Counting(models.TextChoices):
    """How a ballot is counted (elections/counting.py states the ranked rules)."""

    PLURALITY = "plurality", _("Plurality: a cross for each seat, the most votes win")
    RANKED = "ranked", _("Ranked: instant-runoff for one seat, single transferable vote for several")


class TimePeriod(models.TextChoices):
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")


WEEKS_PER_MONTH = Decimal("4.345")

# A state or an end reason as it reads inside a sentence ("election: voting", "· resigned"): lower
# case in English, and as each language writes it mid-sentence (German keeps its capitals), which
# lower-casing the label would get wrong.
ELECTION_STATE_PHRASES = {
    "nominating": pgettext_lazy("election state, in a sentence", "nominations open"),
    "consent": pgettext_lazy("election state, in a sentence", "consent round"),
    "applying": pgettext_lazy("election state, in a sentence", "applications open"),
    "voting": pgettext_lazy("election state, in a sentence", "voting"),
    "closed": pgettext_lazy("election state, in a sentence", "closed"),
    "cancelled": pgettext_lazy("election state, in a sentence", "cancelled"),
}
END_REASON_PHRASES = {
    "term_ended": pgettext_lazy("why a term ended, in a sentence", "term ended"),
    "renewed": pgettext_lazy("why a term ended, in a sentence", "renewed for another term"),
    "re_elected": pgettext_lazy("why a term ended, in a sentence", "re-elected"),
    "resigned": pgettext_lazy("why a term ended, in a sentence", "resigned"),
    "removed": pgettext_lazy("why a term ended, in a sentence", "removed"),
    "replaced": pgettext_lazy("why a term ended, in a sentence", "replaced"),
    "left": pgettext_lazy("why a term ended, in a sentence", "left the organisation"),
}


class RoleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Role(models.Model):
    class Kind(models.TextChoices):
        STEWARD = "steward", _("Steward")
        FACILITATOR = "facilitator", _("Facilitator")
        SECRETARY = "secretary", _("Secretary")
        DELEGATE = "delegate", _("Delegate")
        TREASURER = "treasurer", _("Treasurer")
        CUSTOM = "custom", _("Custom")

    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="roles", verbose_name=_("circle")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CUSTOM, verbose_name=_("kind"))
    name = SingleLineCharField(max_length=120, verbose_name=_("name"))
    purpose = models.TextField(blank=True, help_text=_("Markdown."), verbose_name=_("purpose"))
    domains = models.TextField(
        blank=True, help_text=_("Markdown. What this role decides on its own."), verbose_name=_("domains")
    )
    accountabilities = models.JSONField(
        default=list,
        blank=True,
        help_text=_("A list of sentences: what others can expect of the role."),
        verbose_name=_("accountabilities"),
    )
    time_hours = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Expected time, in hours per period."),
        verbose_name=_("time hours"),
    )
    time_period = models.CharField(
        max_length=5, choices=TimePeriod.choices, default=TimePeriod.WEEK, verbose_name=_("time period")
    )
    is_paid = models.BooleanField(default=False, verbose_name=_("is paid"))
    seats = models.PositiveSmallIntegerField(default=1, verbose_name=_("seats"))
    term_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Length of a term in months; empty for an open-ended role."),
        verbose_name=_("term months"),
    )
    term_limit = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Most consecutive terms one person may serve; empty for no limit."),
        verbose_name=_("term limit"),
    )
    selection = models.CharField(
        max_length=10, choices=Selection.choices, default=Selection.APPOINTED, verbose_name=_("selection")
    )
    election_method = models.CharField(
        max_length=12,
        choices=ElectionMethod.choices,
        default=ElectionMethod.SOCIOCRATIC,
        help_text=_("For elected roles."),
        verbose_name=_("election method"),
    )
    council = models.ForeignKey(
        "circles.Circle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seated_by_roles",
        help_text=_(
            "Elected council: the holders of this role make up that circle's roster, seated on the day "
            "their term starts and unseated when it ends."
        ),
        verbose_name=_("council"),
    )
    auto_renew = models.BooleanField(
        default=False,
        help_text=_("Appointed roles: renew a term on its end day when the term limit allows, instead of ending it."),
        verbose_name=_("auto renew"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    archived_at = models.DateTimeField(null=True, blank=True, verbose_name=_("archived at"))

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["circle", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "kind"],
                condition=~Q(kind="custom") & Q(archived_at__isnull=True),
                name="role_one_core_role_of_a_kind_per_circle",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="role_at_least_one_seat"),
            models.CheckConstraint(
                condition=Q(term_months__isnull=True) | Q(term_months__gte=1), name="role_term_at_least_a_month"
            ),
            models.CheckConstraint(
                condition=Q(term_limit__isnull=True) | Q(term_limit__gte=1), name="role_term_limit_at_least_one"
            ),
        ]

    def __str__(self):
        return f"{self.name} of {self.circle}"

    # A role belongs to its circle's organisation (governance.queries.object_for reads these).
    @property
    def organisation_id(self) -> int:
        return self.circle.organisation_id

    @property
    def organisation(self):
        return self.circle.organisation

    @property
    def is_core(self):
        return self.kind != self.Kind.CUSTOM

    @property
    def is_archived(self):
        return self.archived_at is not None

    @property
    def is_elected(self):
        return self.selection == Selection.ELECTED

    @property
    def hours_per_week(self) -> Decimal:
        if not self.time_hours:
            return Decimal(0)
        if self.time_period == TimePeriod.MONTH:
            return (self.time_hours / WEEKS_PER_MONTH).quantize(Decimal("0.1"))
        return self.time_hours


class RoleTemplate(models.Model):
    """The organisation's template for one core role: what every new circle's core role starts with.
    Circles that exist keep their roles; each role is then edited on its own page."""

    organisation = models.ForeignKey(
        "governance.Organisation",
        on_delete=models.CASCADE,
        related_name="role_templates",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(
        max_length=20, choices=[c for c in Role.Kind.choices if c[0] != "custom"], verbose_name=_("kind")
    )
    name = SingleLineCharField(max_length=120, verbose_name=_("name"))
    purpose = models.TextField(blank=True, verbose_name=_("purpose"))
    accountabilities = models.JSONField(default=list, blank=True, verbose_name=_("accountabilities"))
    time_hours = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True, verbose_name=_("time hours")
    )
    time_period = models.CharField(
        max_length=5, choices=TimePeriod.choices, default=TimePeriod.WEEK, verbose_name=_("time period")
    )
    term_months = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("term months"))
    term_limit = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("term limit"))
    selection = models.CharField(
        max_length=10, choices=Selection.choices, default=Selection.APPOINTED, verbose_name=_("selection")
    )
    election_method = models.CharField(
        max_length=12,
        choices=ElectionMethod.choices,
        default=ElectionMethod.SOCIOCRATIC,
        verbose_name=_("election method"),
    )

    class Meta:
        verbose_name = _("role template")
        verbose_name_plural = _("role templates")
        ordering = ["organisation", "kind"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="role_template_one_per_kind")]

    def __str__(self):
        return f"{self.name} (template of {self.organisation})"


class RoleAssignmentQuerySet(models.QuerySet):
    def current(self, now=None):
        """Terms running now (or at `now`): not ended, and started (a term chosen ahead of time
        starts later)."""
        return self.filter(ended_at__isnull=True, started_at__lte=now or timezone.now())

    def upcoming(self):
        return self.filter(ended_at__isnull=True, started_at__gt=timezone.now())

    def open(self):
        """Not ended: running now or starting later."""
        return self.filter(ended_at__isnull=True)


class RoleAssignment(models.Model):
    class EndReason(models.TextChoices):
        TERM_ENDED = "term_ended", _("Term ended")
        RENEWED = "renewed", _("Renewed for another term")
        RE_ELECTED = "re_elected", _("Re-elected")
        RESIGNED = "resigned", _("Resigned")
        REMOVED = "removed", _("Removed")
        REPLACED = "replaced", _("Replaced")
        LEFT = "left", _("Left the organisation")

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("role"))
    member = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("member")
    )
    started_at = models.DateTimeField(default=timezone.now, verbose_name=_("started at"))
    planned_end_at = SaneDateTimeField(null=True, blank=True, verbose_name=_("planned end at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True, verbose_name=_("end reason"))
    end_note = SingleLineCharField(max_length=300, blank=True, verbose_name=_("end note"))
    assigned_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    term_number = models.PositiveSmallIntegerField(
        default=1, help_text=_("Which consecutive term of this member in this role."), verbose_name=_("term number")
    )
    election = models.ForeignKey(
        "Election",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("election"),
    )
    parent_membership = models.ForeignKey(
        "circles.CircleMembership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The parent circle's roster row this role brought (steward and delegate: double-linking)."),
        verbose_name=_("parent membership"),
    )
    seat = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Which of the role's seats the term holds, from 1 (empty: ended before seats were numbered)."),
        verbose_name=_("seat"),
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["-started_at"]
        constraints = [
            # A member holds a role once at a time; a term chosen ahead of time (re-election) is a
            # second open row with a later start.
            models.UniqueConstraint(
                fields=["role", "member", "started_at"],
                condition=Q(ended_at__isnull=True),
                name="role_assignment_one_open_per_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(end_reason=""), name="role_assignment_ended_with_reason"
            ),
            models.CheckConstraint(
                condition=Q(planned_end_at__isnull=True) | Q(planned_end_at__gt=models.F("started_at")),
                name="role_assignment_ends_after_it_starts",
            ),
            # Seats back the seat count: an open term holds a numbered seat, and on PostgreSQL the
            # exclusion constraint role_assignment_seat_held_once (migration 0004, hand-written since
            # SQLite has no such thing) keeps two open terms of a role from holding one seat at
            # overlapping times, however the rows were written.
            models.CheckConstraint(
                condition=Q(seat__isnull=True) | Q(seat__gte=1), name="role_assignment_seat_from_one"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=False) | Q(seat__isnull=False), name="role_assignment_open_term_has_a_seat"
            ),
        ]
        indexes = [models.Index(fields=["ended_at", "planned_end_at"])]

    def __str__(self):
        return f"{self.member.user} as {self.role}"

    # A term belongs to its role's organisation (governance.queries.object_for reads these).
    @property
    def organisation_id(self) -> int:
        return self.role.circle.organisation_id

    @property
    def organisation(self):
        return self.role.circle.organisation

    @property
    def is_current(self):
        return self.ended_at is None and self.started_at <= timezone.now()

    @property
    def is_upcoming(self):
        return self.ended_at is None and self.started_at > timezone.now()

    @property
    def end_reason_phrase(self) -> str:
        """Why the term ended, as it reads inside a sentence."""
        return str(END_REASON_PHRASES.get(self.end_reason, self.get_end_reason_display().lower()))

    @property
    def days_left(self) -> int | None:
        if self.ended_at or not self.planned_end_at:
            return None
        return max((self.planned_end_at - timezone.now()) // timedelta(days=1), 0)


class ElectionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state__in=Election.ACTIVE_STATES)


class Election(models.Model):
    """Choosing the next holders of a role's seats.

    Sociocratic: nominating → consent (the facilitator's candidate goes to a consent round) → closed;
    a round that does not pass returns the election to nominating. Ballot: applying → voting → closed.
    """

    class State(models.TextChoices):
        NOMINATING = "nominating", _("Nominations open")
        CONSENT = "consent", _("Consent round")
        APPLYING = "applying", _("Applications open")
        VOTING = "voting", _("Voting")
        CLOSED = "closed", pgettext_lazy("election state", "Closed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATES = ("nominating", "consent", "applying", "voting")

    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="elections", verbose_name=_("organisation")
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="elections", verbose_name=_("role"))
    method = models.CharField(max_length=12, choices=ElectionMethod.choices, verbose_name=_("method"))
    state = models.CharField(max_length=12, choices=State.choices, db_index=True, verbose_name=_("state"))
    seats = models.PositiveSmallIntegerField(
        default=1, help_text=_("How many seats this election fills."), verbose_name=_("seats")
    )
    counting = models.CharField(
        max_length=10,
        choices=Counting.choices,
        default=Counting.PLURALITY,
        help_text=_("Ballot: how the ballots are counted."),
        verbose_name=_("counting"),
    )
    term_starts_at = SaneDateTimeField(
        help_text=_("When the chosen holders' term starts."), verbose_name=_("term starts at")
    )
    opened_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(default=timezone.now, verbose_name=_("opened at"))
    nominations_close_at = SaneDateTimeField(
        null=True, blank=True, help_text=_("Sociocratic: nominations end."), verbose_name=_("nominations close at")
    )
    applications_close_at = SaneDateTimeField(
        null=True, blank=True, help_text=_("Ballot: voting starts."), verbose_name=_("applications close at")
    )
    voting_closes_at = SaneDateTimeField(
        null=True, blank=True, help_text=_("Ballot: the count."), verbose_name=_("voting closes at")
    )
    candidate = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Sociocratic: the candidate the facilitator proposed."),
        verbose_name=_("candidate"),
    )
    proposal = models.ForeignKey(
        "proposals.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elections",
        verbose_name=_("proposal"),
    )
    voters_count = models.PositiveIntegerField(default=0, verbose_name=_("voters count"))
    voters_weight = models.PositiveIntegerField(default=0, verbose_name=_("voters weight"))
    results = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Written at the close: each candidate's weight, who was elected, any tie."),
        verbose_name=_("results"),
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))
    cancel_reason = SingleLineCharField(max_length=300, blank=True, verbose_name=_("cancel reason"))

    objects = ElectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["role"],
                condition=Q(state__in=["nominating", "consent", "applying", "voting"]),
                name="election_one_active_per_role",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="election_at_least_one_seat"),
        ]
        indexes = [
            models.Index(fields=["state", "applications_close_at"]),
            models.Index(fields=["state", "voting_closes_at"]),
        ]

    def __str__(self):
        return f"Election of {self.role}"

    @property
    def is_active(self):
        return self.state in self.ACTIVE_STATES

    @property
    def state_phrase(self) -> str:
        """The state as it reads inside a sentence ("election: voting")."""
        return str(ELECTION_STATE_PHRASES.get(self.state, self.get_state_display().lower()))

    @property
    def has_tie(self):
        return bool(self.results.get("tie"))

    @property
    def phase_closes_at(self):
        """When the current phase ends by its deadline: nominations, applications, voting, or the
        consent round of the proposed candidate (None: no deadline, or none left)."""
        if self.state == self.State.NOMINATING:
            return self.nominations_close_at
        if self.state == self.State.APPLYING:
            return self.applications_close_at
        if self.state == self.State.VOTING:
            return self.voting_closes_at
        if self.state == self.State.CONSENT and self.proposal is not None and self.proposal.state == "open":
            return self.proposal.closes_at
        return None

    def phase_deadline_passed(self, now=None) -> bool:
        """Whether the current phase's deadline has come, moved on by the sweep yet or not: nothing
        more is added to the phase (a nomination, a candidacy or its withdrawal, a ballot)."""
        closes_at = self.phase_closes_at
        return closes_at is not None and (now or timezone.now()) >= closes_at

    def deadline_passed(self, now=None) -> bool:
        """Whether the decision's deadline has come: a ballot's voting has closed, or a selection's
        consent round has reached its end. From then on the only thing that may happen to the
        election is its close (the count, or the round's outcome): it can no longer be cancelled."""
        now = now or timezone.now()
        if self.state in (self.State.APPLYING, self.State.VOTING):
            return self.voting_closes_at is not None and now >= self.voting_closes_at
        return self.state == self.State.CONSENT and self.phase_deadline_passed(now)


class Nomination(models.Model):
    """Sociocratic selection: a circle member nominates someone (themselves included), saying why."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("election")
    )
    nominee = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="nominations_received", verbose_name=_("nominee")
    )
    nominated_by = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="nominations_made", verbose_name=_("nominated by")
    )
    reason = models.TextField(verbose_name=_("reason"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "nominated_by", "nominee"], name="nomination_once_per_nominator_and_nominee"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="nomination_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.nominee.user} for {self.election.role}"


class NomineeAnswer(models.Model):
    """Sociocratic selection: a nominee says whether they accept to stand, before the facilitator may
    propose them. One answer per nominee and election; they may change it while nominations are open
    (the event log keeps each answer)."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="nominee_answers", verbose_name=_("election")
    )
    nominee = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("nominee")
    )
    accepted = models.BooleanField(verbose_name=_("accepted"))
    answered_at = models.DateTimeField(default=timezone.now, verbose_name=_("answered at"))

    class Meta:
        verbose_name = _("nominee answer")
        verbose_name_plural = _("nominee answers")
        ordering = ["election", "answered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "nominee"], name="nominee_answer_once")]

    def __str__(self):
        return f"{self.nominee} {'accepts' if self.accepted else 'declines'} ({self.election})"


class Candidacy(models.Model):
    """Ballot: a member stands for the role with a statement."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="candidacies", verbose_name=_("election")
    )
    member = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="candidacies", verbose_name=_("member")
    )
    statement = models.TextField(help_text=_("Markdown."), verbose_name=_("statement"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    withdrawn_at = models.DateTimeField(null=True, blank=True, verbose_name=_("withdrawn at"))

    class Meta:
        verbose_name = _("candidacy")
        ordering = ["created_at", "id"]
        verbose_name_plural = "candidacies"
        constraints = [
            models.UniqueConstraint(
                fields=["election", "member"], condition=Q(withdrawn_at__isnull=True), name="candidacy_one_per_member"
            )
        ]

    def __str__(self):
        return f"{self.member.user} standing for {self.election.role}"


class BallotVoter(models.Model):
    """Who may vote in a ballot (fixed when voting opens, with their weight) and whether they have.
    It says nothing about what they chose."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="voters", verbose_name=_("election"))
    member = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    weight = models.PositiveSmallIntegerField(verbose_name=_("weight"))
    has_voted = models.BooleanField(default=False, verbose_name=_("has voted"))

    class Meta:
        verbose_name = _("ballot voter")
        verbose_name_plural = _("ballot voters")
        ordering = ["election", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="ballot_voter_unique")]

    def __str__(self):
        return f"{self.member} in {self.election}"


class Ballot(models.Model):
    """What one voter chose, without who they are: no member, no time, and a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("election"))
    choices = models.JSONField(
        default=list,
        help_text=_("Ids of the chosen candidacies (an empty list is blank); ranked: from first choice down."),
        verbose_name=_("choices"),
    )
    weight = models.PositiveSmallIntegerField(verbose_name=_("weight"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["election", "id"]

    def __str__(self):
        return f"Ballot {str(self.id)[:8]} in {self.election}"


class CouncilSeat(models.Model):
    """A place on a council circle's roster that an elected term gives (Role.council). The rotation
    sweep seats the holder on the day their term starts and unseats them when it ends; the roster row
    keeps the history. `brought` says whether the term added them to the roster: someone already on it
    stays when the term ends."""

    assignment = models.OneToOneField(
        RoleAssignment, on_delete=models.PROTECT, related_name="council_seat", verbose_name=_("assignment")
    )
    membership = models.ForeignKey(
        "circles.CircleMembership", on_delete=models.PROTECT, related_name="+", verbose_name=_("membership")
    )
    brought = models.BooleanField(default=True, verbose_name=_("brought"))
    seated_at = models.DateTimeField(default=timezone.now, verbose_name=_("seated at"))
    unseated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("unseated at"))

    class Meta:
        verbose_name = _("council seat")
        verbose_name_plural = _("council seats")
        ordering = ["-seated_at", "-id"]

    def __str__(self):
        return f"{self.assignment.member} on {self.membership.circle}"
