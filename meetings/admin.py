"""Admin for meetings. The record is read-only here (agendas, attendance, minutes and their versions,
tensions); changes go through the services, as the actions and the editable forms below do."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.admin_tools import ReadOnlyMixin, acting_member
from governance.errors import DomainError

from . import services
from .models import (
    ActionItem,
    AgendaItem,
    Attendance,
    CalendarFeed,
    CircleMeetingSettings,
    Meeting,
    MeetingSeries,
    MeetingSettings,
    Minutes,
    MinutesVersion,
    Reply,
    Tension,
)


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0


class AgendaInline(ReadOnlyInline):
    model = AgendaItem
    fields = ("position", "title", "kind", "owner", "time_box", "tension", "proposal", "removed_at")
    readonly_fields = fields


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ("member", "status", "recorded_by", "recorded_at")
    readonly_fields = fields


class ActionInline(ReadOnlyInline):
    model = ActionItem
    fields = ("title", "owner", "due", "status")
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "circle", "organisation", "starts_at", "state", "agenda_published_at", "series")
    list_filter = ("state", "kind", "organisation")
    search_fields = ("title", "circle__name")
    date_hierarchy = "starts_at"
    list_select_related = ("circle", "organisation", "series")
    inlines = [AgendaInline, AttendanceInline, ActionInline]
    actions = ["cancel"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Meeting._meta.fields]

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff  # to view the page and run actions; every field is read-only

    @admin.action(description=_("Cancel the selected meetings"))
    def cancel(self, request, queryset):
        for meeting in queryset.select_related("organisation", "circle"):
            try:
                services.meeting_cancel(
                    meeting=meeting, by=acting_member(request, meeting.organisation_id), reason="Cancelled by an admin."
                )
            except DomainError as error:
                self.message_user(request, f"{meeting}: {error.message}", messages.ERROR)


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "circle", "frequency", "rrule", "starts_at", "until", "ended_at")
    list_filter = ("frequency", "organisation")
    search_fields = ("title", "circle__name")
    list_select_related = ("circle",)
    actions = ["materialise"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in MeetingSeries._meta.fields]

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff

    @admin.action(description=_("Create the upcoming occurrences now"))
    def materialise(self, request, queryset):
        created = sum(services.series_materialise(series=s) for s in queryset)
        self.message_user(
            request,
            gettext("Created %(count)s occurrence(s).") % {"count": created},
        )


@admin.register(CircleMeetingSettings)
class CircleMeetingSettingsAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A circle's meeting settings change by its decisions (meetings.circle_settings)."""

    list_display = ("circle", "agenda_due_days", "cadence")
    list_select_related = ("circle",)
    search_fields = ("circle__name",)


@admin.register(MeetingSettings)
class MeetingSettingsAdmin(admin.ModelAdmin):
    list_display = ("organisation", "agenda_due_days", "quorum_percent")
    fields = ("organisation", "agenda_due_days", "quorum_percent")

    def get_readonly_fields(self, request, obj=None):
        return ("organisation",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            saved = services.meeting_settings_update(
                organisation=obj.organisation,
                by=acting_member(request, obj.organisation_id),
                agenda_due_days=obj.agenda_due_days,
                quorum_percent=obj.quorum_percent,
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        obj.pk = saved.pk


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "meeting", "position", "kind", "owner", "time_box", "removed_at")
    list_filter = ("kind",)
    search_fields = ("title", "meeting__title")
    list_select_related = ("meeting", "owner__user")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in AgendaItem._meta.fields]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("meeting", "member", "status", "recorded_by", "recorded_at")
    list_filter = ("status",)
    search_fields = ("meeting__title", "member__user__name", "member__user__email")
    list_select_related = ("meeting", "member__user", "recorded_by__user")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Attendance._meta.fields]


@admin.register(Reply)
class ReplyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What members said ahead of a meeting: theirs to give and change, on the meeting page or over
    the API."""

    list_display = ("meeting", "member", "answer", "updated_at")
    list_filter = ("answer",)
    search_fields = ("meeting__title", "member__user__name", "member__user__email")
    list_select_related = ("meeting", "member__user")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Reply._meta.fields]


class VersionInline(ReadOnlyInline):
    model = MinutesVersion
    fields = ("number", "note", "author", "created_at", "body")
    readonly_fields = fields


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("meeting", "state", "version", "published_at", "published_by")
    list_filter = ("state",)
    search_fields = ("meeting__title", "body")
    list_select_related = ("meeting", "published_by__user")
    inlines = [VersionInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Minutes._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Tension)
class TensionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "circle", "raised_by", "state", "resolution", "created_at")
    list_filter = ("state", "resolution", "organisation")
    search_fields = ("title", "description", "circle__name")
    list_select_related = ("circle", "raised_by__user")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Tension._meta.fields]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    """Owner, due date and status can be changed here; the change goes through the service, which
    records it in the event log."""

    list_display = ("title", "circle", "owner", "due", "status", "meeting")
    list_filter = ("status", "organisation")
    search_fields = ("title", "circle__name", "owner__user__name")
    list_select_related = ("circle", "owner__user", "meeting")
    fields = ("title", "notes", "owner", "due", "status", "circle", "meeting", "tension", "created_by", "created_at")
    readonly_fields = ("circle", "meeting", "tension", "created_by", "created_at")
    raw_id_fields = ("owner",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        try:
            services.action_item_update(item=obj, by=acting_member(request, obj.organisation_id), **changes)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("member", "circle", "prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("member__user", "circle")
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in CalendarFeed._meta.fields if f.name != "token_hash"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff

    @admin.action(description=_("Revoke the selected calendar links"))
    def revoke(self, request, queryset):
        for feed in queryset:
            services.calendar_feed_revoke(feed=feed)
        self.message_user(request, gettext("Revoked."))
