"""The admin for circles and rosters. Circles are archived, never deleted; roster rows are ended with
a reason, never deleted, and an ended row cannot be edited."""

from django import forms
from django.contrib import admin
from django.db.models import Count, F, Q
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from governance.admin_tools import EndWithReasonAdmin, ReadOnlyMixin, ServiceAdmin, acting_member, null_filter
from governance.text import single_line

from . import policy_admin, services  # noqa: F401  (policy_admin registers the policies' admin)
from .models import Circle, CircleMembership


@admin.display(description=_("member"), ordering="member__user__name")
def person(membership):
    return membership.member.user


class RosterInline(ReadOnlyMixin, admin.TabularInline):
    model = CircleMembership
    fk_name = "circle"
    verbose_name_plural = _("roster: current members first, then past stays")
    fields = (person, "joined_at", "added_by", "left_at", "removal_reason")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        # The current roster first, then the most recent departures.
        return (
            super()
            .get_queryset(request)
            .select_related("member__user", "added_by__user")
            .order_by(F("left_at").desc(nulls_first=True), "member__user__name")
        )


class CircleAdminForm(forms.ModelForm):
    override_reason = forms.CharField(
        required=False,
        max_length=300,
        validators=[single_line],
        label=_("Why edit directly (admin override)"),
        help_text=_(
            "In an organisation whose structure changes by consent, a direct edit is an admin override: "
            "say why. It is logged and shown as such."
        ),
    )

    class Meta:
        model = Circle
        fields = ("organisation", "parent", "name", "purpose", "domains", "accountabilities")


@admin.register(Circle)
class CircleAdmin(ServiceAdmin):
    form = CircleAdminForm
    list_display = ("name", "organisation", "parent", "is_general", "current_members", "created_at", "archived_at")
    list_filter = ("organisation", "is_general", null_filter("archived_at", _("archived"), _("Archived"), _("Active")))
    list_select_related = ("organisation", "parent")
    search_fields = ("name", "slug", "organisation__name")
    autocomplete_fields = ("organisation", "parent")
    date_hierarchy = "created_at"
    inlines = [RosterInline]
    actions = ["archive_selected", "restore_selected"]
    fields = (
        "organisation",
        "parent",
        "name",
        "slug",
        "purpose",
        "domains",
        "accountabilities",
        "is_general",
        "created_at",
        "archived_at",
        "override_reason",
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("slug", "is_general", "created_at", "archived_at")
        return ("organisation", "slug", "is_general", "created_at", "archived_at")

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(roster_size=Count("memberships", filter=Q(memberships__left_at__isnull=True), distinct=True))
        )

    @admin.display(description=_("roster"), ordering="roster_size")
    def current_members(self, circle):
        return gettext_now("everyone") if circle.is_general else circle.roster_size

    def has_change_permission(self, request, obj=None):
        # An archived circle is read-only until it is restored.
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_archived)

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, form, change):
        data = form.cleaned_data
        if not change:
            organisation = data["organisation"]
            return services.circle_create(
                organisation=organisation,
                by=acting_member(request, organisation.pk),
                name=data["name"],
                parent=data["parent"],
                purpose=data["purpose"],
                domains=data["domains"],
                accountabilities=data["accountabilities"],
                override_reason=data.get("override_reason", ""),
            )
        circle = Circle.objects.select_related("organisation").get(pk=form.instance.pk)
        return services.circle_update(
            circle=circle,
            by=acting_member(request, circle.organisation_id),
            override_reason=data.get("override_reason", ""),
            **self.changed(form, services.CIRCLE_FIELDS),
        )

    @admin.action(description=_("Archive selected circles"), permissions=["change"])
    def archive_selected(self, request, queryset):
        self.run_action(
            request,
            queryset.select_related("organisation"),
            lambda circle: services.circle_archive(circle=circle, by=acting_member(request, circle.organisation_id)),
            done=gettext_now("Circles archived"),
        )

    @admin.action(description=_("Restore selected circles"), permissions=["change"])
    def restore_selected(self, request, queryset):
        self.run_action(
            request,
            queryset.select_related("organisation", "parent"),
            lambda circle: services.circle_restore(circle=circle, by=acting_member(request, circle.organisation_id)),
            done=gettext_now("Circles restored"),
        )


@admin.register(CircleMembership)
class CircleMembershipAdmin(EndWithReasonAdmin):
    list_display = (person, "circle", "organisation", "joined_at", "left_at", "removal_reason")
    list_filter = (
        null_filter("left_at", _("on the roster"), _("Ended"), _("Current")),
        "circle__organisation",
        "circle",
    )
    list_select_related = ("member__user", "circle__organisation")
    search_fields = ("member__user__email", "member__user__name", "circle__name", "removal_reason")
    autocomplete_fields = ("circle", "member")
    date_hierarchy = "joined_at"
    add_fields = ("circle", "member")
    # Once a stay has ended, when, by whom and why are history.
    row_fields = ("circle", "member", "joined_at", "added_by", "left_at", "removed_by", "removal_reason")
    reason_field = "removal_reason"
    reason_label = _("Leaves the circle because")
    reason_help = _("To take this member off the roster, say why and save. The row stays.")
    row_related = ("circle__organisation", "member__user")

    @admin.display(description=_("organisation"), ordering="circle__organisation__name")
    def organisation(self, membership):
        return membership.circle.organisation

    def add_row(self, request, data):
        circle, member = data["circle"], data["member"]
        return services.roster_add(circle=circle, member=member, by=acting_member(request, circle.organisation_id))

    def end_row(self, request, membership, reason):
        return services.roster_remove(
            membership=membership, by=acting_member(request, membership.circle.organisation_id), reason=reason
        )
