"""The admin for roles and who holds them. An assignment is ended with a reason, never deleted, and an
ended assignment cannot be edited. Roles themselves are shown, not edited here: every circle gets its
core roles from the services when it is created."""

from django import forms
from django.contrib import admin
from django.db.models import F

from governance.admin import ServiceAdmin, acting_member, null_filter

from . import services
from .models import Role, RoleAssignment


@admin.display(description="member", ordering="member__user__name")
def person(assignment):
    return assignment.member.user


class AssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "role"
    verbose_name_plural = "holders: current first, then past terms"
    fields = (person, "started_at", "planned_end_at", "ended_at", "end_reason", "assigned_by")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("member__user", "assigned_by__user")
            .order_by(F("ended_at").desc(nulls_first=True), "-started_at")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "circle", "kind", "seats", "created_at", "archived_at")
    list_filter = ("kind", null_filter("archived_at", "archived", "Archived", "Active"), "circle__organisation")
    list_select_related = ("circle",)
    search_fields = ("name", "circle__name", "circle__organisation__name")
    date_hierarchy = "created_at"
    inlines = [AssignmentInline]
    fields = ("circle", "kind", "name", "purpose", "seats", "created_at", "archived_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AssignmentEndForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("end_reason",)
        labels = {"end_reason": "Ends because"}
        help_texts = {"end_reason": "To end this assignment, choose why and save. The row stays."}


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ServiceAdmin):
    list_display = (person, "role", "circle", "started_at", "planned_end_at", "ended_at", "end_reason")
    list_filter = (
        null_filter("ended_at", "held", "Ended", "Current"),
        "end_reason",
        "role__kind",
        "role__circle__organisation",
    )
    list_select_related = ("member__user", "role__circle")
    search_fields = ("member__user__email", "member__user__name", "role__name", "role__circle__name")
    autocomplete_fields = ("role", "member")
    date_hierarchy = "started_at"

    @admin.display(ordering="role__circle__name")
    def circle(self, assignment):
        return assignment.role.circle

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("role", "member", "planned_end_at")
        return ("role", "member", "started_at", "planned_end_at", "assigned_by", "ended_at", "end_reason")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("role", "member", "started_at", "planned_end_at", "assigned_by", "ended_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = AssignmentEndForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_current)

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, form, change):
        data = form.cleaned_data
        if not change:
            role, member = data["role"], data["member"]
            by = acting_member(request, role.circle.organisation_id)
            if role.kind == Role.Kind.STEWARD:
                # A new steward replaces the current one and joins the roster: the steward's own rule.
                return services.steward_assign(circle=role.circle, member=member, by=by)
            return services.role_assign(role=role, member=member, by=by, planned_end_at=data["planned_end_at"])
        assignment = RoleAssignment.objects.select_related("role__circle", "member__user").get(pk=form.instance.pk)
        if not data.get("end_reason"):
            return assignment
        return services.assignment_end(
            assignment=assignment,
            by=acting_member(request, assignment.role.circle.organisation_id),
            reason=data["end_reason"],
        )
