"""The admin for roles and terms. An assignment is ended with a reason, never deleted, and an ended
assignment cannot be edited. Role definitions are written through the services. The elections'
records are elections' (elections/admin.py)."""

from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from governance.admin_tools import EndWithReasonAdmin, ReadOnlyMixin, ServiceAdmin, acting_member, null_filter

from . import services
from .models import Role, RoleAssignment, RoleTemplate
from .services import ROLE_FIELDS


@admin.display(description=_("member"), ordering="member__user__name")
def person(assignment):
    return assignment.member.user


class AssignmentInline(ReadOnlyMixin, admin.TabularInline):
    model = RoleAssignment
    fk_name = "role"
    verbose_name_plural = _("holders: current first, then past terms")
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


@admin.register(Role)
class RoleAdmin(ServiceAdmin):
    """Role definitions are edited through role_create and role_update, so that the same checks apply
    as on the pages; the terms below (history) are read-only."""

    list_display = ("name", "circle", "kind", "seats", "term_months", "term_limit", "selection", "archived_at")
    list_filter = (
        "kind",
        "selection",
        null_filter("archived_at", _("archived"), _("Archived"), _("Active")),
        "circle__organisation",
    )
    list_select_related = ("circle",)
    search_fields = ("name", "circle__name", "circle__organisation__name")
    date_hierarchy = "created_at"
    inlines = [AssignmentInline]
    actions = ["archive"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("circle", *ROLE_FIELDS)
        return ("circle", "kind", *ROLE_FIELDS, "created_at", "archived_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("circle", "kind", "created_at", "archived_at")

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_archived)

    def has_delete_permission(self, request, obj=None):
        return False

    # Under "structure changes by consent", an edit in the site admin is an admin's override.
    OVERRIDE_REASON = "Edited in the site admin"

    def service_save(self, request, form, change):
        data = {f: form.cleaned_data[f] for f in ROLE_FIELDS if f in form.cleaned_data}
        if not change:
            circle = form.cleaned_data["circle"]
            return services.role_create(
                circle=circle,
                by=acting_member(request, circle.organisation_id),
                override_reason=self.OVERRIDE_REASON,
                **data,
            )
        role = Role.objects.select_related("circle__organisation").get(pk=form.instance.pk)
        changes = {f: v for f, v in data.items() if f in form.changed_data}
        return services.role_update(
            role=role,
            by=acting_member(request, role.circle.organisation_id),
            override_reason=self.OVERRIDE_REASON,
            **changes,
        )

    @admin.action(description=_("Archive the selected roles (their terms end; history stays)"))
    def archive(self, request, queryset):
        self.run_action(
            request,
            queryset.select_related("circle__organisation"),
            lambda role: services.role_archive(
                role=role, by=acting_member(request, role.circle.organisation_id), override_reason=self.OVERRIDE_REASON
            ),
            done=gettext_now("Archived"),
        )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(EndWithReasonAdmin):
    list_display = (person, "role", "circle", "started_at", "planned_end_at", "ended_at", "end_reason")
    list_filter = (
        null_filter("ended_at", _("held"), _("Ended"), _("Current")),
        "end_reason",
        "role__kind",
        "role__circle__organisation",
    )
    list_select_related = ("member__user", "role__circle")
    search_fields = ("member__user__email", "member__user__name", "role__name", "role__circle__name")
    autocomplete_fields = ("role", "member")
    date_hierarchy = "started_at"
    add_fields = ("role", "member", "planned_end_at")
    row_fields = (
        "role",
        "member",
        "started_at",
        "planned_end_at",
        "term_number",
        "assigned_by",
        "election",
        "parent_membership",
        "ended_at",
        "end_reason",
        "end_note",
    )
    reason_field = "end_reason"
    reason_label = _("Ends because")
    reason_help = _("To end this assignment, choose why and save. The row stays.")
    row_related = ("role__circle", "member__user")

    @admin.display(description=_("circle"), ordering="role__circle__name")
    def circle(self, assignment):
        return assignment.role.circle

    def add_row(self, request, data):
        role, member = data["role"], data["member"]
        by = acting_member(request, role.circle.organisation_id)
        if role.kind == Role.Kind.STEWARD:
            # A new steward replaces the current one and joins the roster: the steward's own rule.
            return services.steward_assign(circle=role.circle, member=member, by=by)
        return services.role_assign(role=role, member=member, by=by, planned_end_at=data["planned_end_at"])

    def end_row(self, request, assignment, reason):
        return services.assignment_end(
            assignment=assignment, by=acting_member(request, assignment.role.circle.organisation_id), reason=reason
        )


@admin.register(RoleTemplate)
class RoleTemplateAdmin(ServiceAdmin):
    """The organisation's template for the core roles new circles get."""

    list_display = ("organisation", "kind", "name", "term_months", "term_limit", "selection")
    list_filter = ("organisation", "kind")
    fields = ("organisation", "kind", *services.TEMPLATE_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("organisation", "kind")

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, form, change):
        organisation = form.cleaned_data.get("organisation") or form.instance.organisation
        kind = form.cleaned_data.get("kind") or form.instance.kind
        return services.role_template_save(
            organisation=organisation,
            by=acting_member(request, organisation.pk),
            kind=kind,
            **{f: form.cleaned_data[f] for f in services.TEMPLATE_FIELDS},
        )
