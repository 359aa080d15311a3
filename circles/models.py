"""Circles form a tree under one general circle per organisation; a roster is the set of current
circle memberships, and every membership keeps its history (joined, left, by whom, why)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from governance.dates import SaneDateField
from governance.text import SingleLineCharField


class CircleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Circle(models.Model):
    organisation = models.ForeignKey("governance.Organisation", on_delete=models.CASCADE, related_name="circles")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = SingleLineCharField(max_length=120)
    slug = models.SlugField(max_length=60)
    purpose = models.TextField(blank=True, help_text="Markdown. Why this circle exists.")
    domains = models.TextField(blank=True, help_text="Markdown. What this circle decides on its own.")
    accountabilities = models.TextField(blank=True, help_text="Markdown. What others can expect of it.")
    is_general = models.BooleanField(default=False, help_text="The general circle: all members, the root of the tree.")
    # A working group: a circle made for one initiative, with a goal and an end date.
    goal = models.TextField(blank=True, help_text="Markdown. For a working group: what it is for.")
    ends_on = SaneDateField(null=True, blank=True, help_text="For a working group: the day its mandate ends.")
    end_reminded_on = models.DateField(
        null=True, blank=True, help_text="The end date its steward was last reminded of (once per end date)."
    )
    # Settings the circle owns for its proposals (empty: the organisation's defaults).
    consent_round_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Default length of its consent rounds, in days (empty: the organisation's)."
    )
    quorum_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Default quorum of its proposals, in % (empty: none)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = CircleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="circle_unique_slug"),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(is_general=True), name="circle_one_general_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(is_general=False, parent__isnull=False) | Q(is_general=True, parent__isnull=True),
                name="circle_general_is_the_only_root",
            ),
            models.CheckConstraint(
                condition=Q(consent_round_days__isnull=True) | Q(consent_round_days__gte=1, consent_round_days__lte=60),
                name="circle_consent_round_days_range",
            ),
            models.CheckConstraint(
                condition=Q(quorum_percent__isnull=True) | Q(quorum_percent__gte=1, quorum_percent__lte=100),
                name="circle_quorum_is_a_percentage",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_archived(self):
        return self.archived_at is not None

    @property
    def is_working_group(self):
        return self.ends_on is not None


class CircleMembershipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(left_at__isnull=True)


class CircleMembership(models.Model):
    """One stay of a member on a circle's roster. Removing someone ends the row; it is never deleted."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="circle_memberships")
    joined_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey("governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    left_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removal_reason = SingleLineCharField(max_length=300, blank=True)

    objects = CircleMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "member"], condition=Q(left_at__isnull=True), name="circle_membership_one_current"
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | ~Q(removal_reason=""), name="circle_membership_left_with_reason"
            ),
        ]

    def __str__(self):
        return f"{self.member.user} in {self.circle}"

    @property
    def is_current(self):
        return self.left_at is None


# A circle's written agreements -----------------------------------------------------------------


class Policy(models.Model):
    """A circle's written agreements, one document per circle (the general circle's are the bylaws),
    made of sections. Sections change only by versions: every version is kept, with the decision that
    made it, and a repeal is one more version. Nothing is deleted."""

    circle = models.OneToOneField(Circle, on_delete=models.PROTECT, related_name="policy")
    title = SingleLineCharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "policies"

    def __str__(self):
        return self.title

    @property
    def organisation_id(self) -> int:
        return self.circle.organisation_id


class PolicySectionQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(repealed_at__isnull=True)


class PolicySection(models.Model):
    """One section of a policy. Its title, text and version number are those of its newest version
    (kept here so that a page reads the document in one query); the versions are the history."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="sections")
    position = models.PositiveIntegerField(help_text="Order in the document, from 1.")
    title = SingleLineCharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown.")
    version = models.PositiveIntegerField(default=1, help_text="The number of its newest version.")
    created_at = models.DateTimeField(default=timezone.now)
    repealed_at = models.DateTimeField(null=True, blank=True)

    objects = PolicySectionQuerySet.as_manager()

    class Meta:
        ordering = ["policy", "position"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="policy_section_unique_position"),
            models.CheckConstraint(condition=Q(version__gte=1), name="policy_section_version_from_one"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_repealed(self):
        return self.repealed_at is not None

    @property
    def organisation_id(self) -> int:
        return self.policy.circle.organisation_id


class PolicySectionVersion(models.Model):
    """One version of a section, as the decision (or the admin override) behind it wrote it.
    Append-only."""

    section = models.ForeignKey(PolicySection, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = SingleLineCharField(max_length=200)
    body = models.TextField(blank=True)
    is_repeal = models.BooleanField(default=False, help_text="This version repealed the section.")
    proposal_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="The decision, if not an override.")
    proposal_title = SingleLineCharField(max_length=200, blank=True)
    override_reason = SingleLineCharField(max_length=300, blank=True)
    actor = models.ForeignKey("governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["section", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="policy_section_version_unique_number"),
        ]

    def __str__(self):
        return f"{self.title} (version {self.number})"
