"""The admin of policies: read-only, since a section changes only by a decision (or an admin's
override through the change kinds, which records its reason); every version is shown."""

from django.contrib import admin

from governance.admin_tools import ReadOnlyMixin

from .models import Policy, PolicySection, PolicySectionVersion


class SectionInline(ReadOnlyMixin, admin.TabularInline):
    model = PolicySection
    fields = ("position", "title", "version", "repealed_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True


class VersionInline(ReadOnlyMixin, admin.TabularInline):
    model = PolicySectionVersion
    fields = ("number", "title", "is_repeal", "proposal_id", "proposal_title", "override_reason", "actor", "created_at")
    readonly_fields = fields
    extra = 0


@admin.register(Policy)
class PolicyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "circle", "created_at")
    list_select_related = ("circle__organisation",)
    search_fields = ("title", "circle__name", "circle__organisation__name")
    inlines = [SectionInline]


@admin.register(PolicySection)
class PolicySectionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "policy", "position", "version", "repealed_at")
    list_select_related = ("policy__circle",)
    list_filter = ("policy__circle__organisation",)
    search_fields = ("title", "body")
    inlines = [VersionInline]


@admin.register(PolicySectionVersion)
class PolicySectionVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("section", "number", "is_repeal", "proposal_id", "created_at")
    list_select_related = ("section",)
    search_fields = ("title", "body", "proposal_title")
