"""The admin for polls: read-only records written by the services (answers are members' own)."""

from django.contrib import admin

from governance.admin_tools import ReadOnlyMixin

from .models import Poll, PollAnswer, PollOption


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class OptionInline(admin.TabularInline):
    model = PollOption
    fields = ("label", "starts_at", "position")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Poll)
class PollAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "circle", "state", "created_at", "closed_at", "meeting")
    list_filter = ("kind", "state", "organisation")
    list_select_related = ("circle", "meeting")
    search_fields = ("title", "circle__name")
    inlines = [OptionInline]
    fields = (
        "organisation",
        "circle",
        "kind",
        "title",
        "body",
        "state",
        "points",
        "score_max",
        "duration_minutes",
        "created_by",
        "created_at",
        "closes_at",
        "closed_at",
        "picked",
        "meeting",
    )
    readonly_fields = fields


@admin.register(PollOption)
class PollOptionAdmin(ReadOnlyAdmin):
    list_display = ("label", "poll", "starts_at", "position")
    list_select_related = ("poll",)
    search_fields = ("label", "poll__title")
    fields = ("poll", "label", "starts_at", "position")
    readonly_fields = fields


@admin.register(PollAnswer)
class PollAnswerAdmin(ReadOnlyAdmin):
    list_display = ("option", "member", "value", "answered_at")
    list_select_related = ("option__poll", "member__user")
    search_fields = ("option__poll__title", "member__user__name")
    fields = ("option", "member", "value", "answered_at")
    readonly_fields = fields
