"""Circles form a tree under one general circle per organisation; a roster is the set of current
circle memberships, and every membership keeps its history (joined, left, by whom, why)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.dates import SaneDateField
from governance.text import SingleLineCharField


class CircleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Circle(models.Model):
    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="circles", verbose_name=_("organisation")
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    name = SingleLineCharField(max_length=120, verbose_name=_("name"))
    slug = models.SlugField(max_length=60, verbose_name=_("slug"))
    purpose = models.TextField(blank=True, help_text=_("Markdown. Why this circle exists."), verbose_name=_("purpose"))
    domains = models.TextField(
        blank=True, help_text=_("Markdown. What this circle decides on its own."), verbose_name=_("domains")
    )
    accountabilities = models.TextField(
        blank=True, help_text=_("Markdown. What others can expect of it."), verbose_name=_("accountabilities")
    )
    is_general = models.BooleanField(
        default=False,
        help_text=_("The general circle: all members, the root of the tree."),
        verbose_name=_("is general"),
    )
    # A working group: a circle made for one initiative, with a goal and an end date.
    goal = models.TextField(
        blank=True, help_text=_("Markdown. For a working group: what it is for."), verbose_name=_("goal")
    )
    ends_on = SaneDateField(
        null=True, blank=True, help_text=_("For a working group: the day its mandate ends."), verbose_name=_("ends on")
    )
    end_reminded_on = models.DateField(
        null=True,
        blank=True,
        help_text=_("The end date its steward was last reminded of (once per end date)."),
        verbose_name=_("end reminded on"),
    )
    # Settings the circle owns for its proposals (empty: the organisation's defaults).
    consent_round_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Default length of its consent rounds, in days (empty: the organisation's)."),
        verbose_name=_("consent round days"),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Default quorum of its proposals, in % (empty: none)."),
        verbose_name=_("quorum percent"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    archived_at = models.DateTimeField(null=True, blank=True, verbose_name=_("archived at"))

    objects = CircleQuerySet.as_manager()

    class Meta:
        verbose_name = _("circle")
        verbose_name_plural = _("circles")
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

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("circle"))
    member = models.ForeignKey(
        "governance.Member", on_delete=models.PROTECT, related_name="circle_memberships", verbose_name=_("member")
    )
    joined_at = models.DateTimeField(default=timezone.now, verbose_name=_("joined at"))
    added_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    left_at = models.DateTimeField(null=True, blank=True, verbose_name=_("left at"))
    removed_by = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("removed by"),
    )
    removal_reason = SingleLineCharField(max_length=300, blank=True, verbose_name=_("removal reason"))

    objects = CircleMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("circle membership")
        verbose_name_plural = _("circle memberships")
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

    circle = models.OneToOneField(Circle, on_delete=models.PROTECT, related_name="policy", verbose_name=_("circle"))
    title = SingleLineCharField(max_length=150, verbose_name=_("title"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("policy")
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

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="sections", verbose_name=_("policy"))
    position = models.PositiveIntegerField(help_text=_("Order in the document, from 1."), verbose_name=_("position"))
    title = SingleLineCharField(max_length=200, verbose_name=_("title"))
    body = models.TextField(blank=True, help_text=_("Markdown."), verbose_name=_("body"))
    version = models.PositiveIntegerField(
        default=1, help_text=_("The number of its newest version."), verbose_name=_("version")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    repealed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("repealed at"))

    objects = PolicySectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy section")
        verbose_name_plural = _("policy sections")
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

    section = models.ForeignKey(
        PolicySection, on_delete=models.PROTECT, related_name="versions", verbose_name=_("section")
    )
    number = models.PositiveIntegerField(verbose_name=_("number"))
    title = SingleLineCharField(max_length=200, verbose_name=_("title"))
    body = models.TextField(blank=True, verbose_name=_("body"))
    is_repeal = models.BooleanField(
        default=False, help_text=_("This version repealed the section."), verbose_name=_("is repeal")
    )
    proposal_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text=_("The decision, if not an override."), verbose_name=_("proposal id")
    )
    proposal_title = SingleLineCharField(max_length=200, blank=True, verbose_name=_("proposal title"))
    override_reason = SingleLineCharField(max_length=300, blank=True, verbose_name=_("override reason"))
    actor = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("policy section version")
        verbose_name_plural = _("policy section versions")
        ordering = ["section", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="policy_section_version_unique_number"),
        ]

    def __str__(self):
        return f"{self.title} (version {self.number})"
