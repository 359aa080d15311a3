"""Roles and who holds them. Every circle has a steward role; assignments carry a term and are
ended, never deleted, so a role's history shows who held it when."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Role(models.Model):
    class Kind(models.TextChoices):
        STEWARD = "steward", "Steward"
        FACILITATOR = "facilitator", "Facilitator"
        SECRETARY = "secretary", "Secretary"
        DELEGATE = "delegate", "Delegate"
        CUSTOM = "custom", "Custom"

    circle = models.ForeignKey("circles.Circle", on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CUSTOM)
    name = models.CharField(max_length=120)
    purpose = models.TextField(blank=True, help_text="Markdown.")
    seats = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["circle", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "kind"],
                condition=~Q(kind="custom") & Q(archived_at__isnull=True),
                name="role_one_core_role_of_a_kind_per_circle",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="role_at_least_one_seat"),
        ]

    def __str__(self):
        return f"{self.name} of {self.circle}"


class RoleAssignmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)


class RoleAssignment(models.Model):
    class EndReason(models.TextChoices):
        TERM_ENDED = "term_ended", "Term ended"
        RESIGNED = "resigned", "Resigned"
        REMOVED = "removed", "Removed"
        REPLACED = "replaced", "Replaced"
        RE_ELECTED = "re_elected", "Re-elected"
        LEFT = "left", "Left the organisation"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey("governance.Member", on_delete=models.PROTECT, related_name="role_assignments")
    started_at = models.DateTimeField(default=timezone.now)
    planned_end_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    assigned_by = models.ForeignKey(
        "governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "member"], condition=Q(ended_at__isnull=True), name="role_assignment_one_current"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(end_reason=""), name="role_assignment_ended_with_reason"
            ),
        ]

    def __str__(self):
        return f"{self.member.user} as {self.role}"

    @property
    def is_current(self):
        return self.ended_at is None
