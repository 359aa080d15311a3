"""Circles form a tree under one general circle per organisation; a roster is the set of current
circle memberships, and every membership keeps its history (joined, left, by whom, why)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

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
        ]

    def __str__(self):
        return self.name

    @property
    def is_archived(self):
        return self.archived_at is not None


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
