"""Admin for the record. Settings and summaries change through the services; erasures and
preferences are shown only (an erasure is done from the member's page, by an organisation admin)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from governance.admin_tools import ReadOnlyMixin, acting_member
from governance.errors import DomainError

from . import services
from .models import Erasure, ParticipationPreference, RecordSettings, TermSummary


@admin.register(RecordSettings)
class RecordSettingsAdmin(admin.ModelAdmin):
    list_display = ("organisation", "public_decisions", "public_log", "public_roles", "public_minutes", "split_size")
    fields = ("organisation", *services.SETTINGS_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return ("organisation",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS if name in form.cleaned_data}
        try:
            saved = services.record_settings_save(
                organisation=obj.organisation, by=acting_member(request, obj.organisation_id), **values
            )
        except DomainError as e:
            messages.error(request, e.message)
            return
        obj.pk = saved.pk


@admin.register(TermSummary)
class TermSummaryAdmin(admin.ModelAdmin):
    list_display = ("title", "circle", "period_start", "period_end", "state", "published_at")
    list_filter = ("state",)
    readonly_fields = (
        "organisation",
        "circle",
        "period_start",
        "period_end",
        "figures",
        "state",
        "drafted_by",
        "drafted_at",
        "updated_at",
        "published_at",
        "published_by",
    )
    fields = ("title", "body", *readonly_fields)
    actions = ["publish"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.term_summary_update(
                summary=obj, by=acting_member(request, obj.organisation_id), title=obj.title, body=obj.body
            )
        except DomainError as e:
            messages.error(request, e.message)

    @admin.action(description=_("Publish the selected summaries"))
    def publish(self, request, queryset):
        for summary in queryset:
            try:
                services.term_summary_publish(summary=summary, by=acting_member(request, summary.organisation_id))
            except DomainError as e:
                messages.error(request, f"{summary}: {e.message}")


@admin.register(ParticipationPreference)
class ParticipationPreferenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("member", "hide_from_leaderboard", "updated_at")


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("pseudonym", "organisation", "erased_by", "erased_at", "rows_changed")
