"""The admin shows money; the ledger and what it moves are read-only (entries are never edited:
a mistake is reversed through the service, with a reason)."""

from django.contrib import admin

from governance.admin_tools import ReadOnlyMixin

from .models import Allocation, Attachment, Bucket, Budget, Category, Commitment, Entry, Fund, Round, Share, Spending


@admin.register(Fund)
class FundAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "organisation", "balance", "created_at")
    list_filter = ("organisation",)
    search_fields = ("name",)


@admin.register(Category)
class CategoryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "organisation")
    list_filter = ("organisation",)
    search_fields = ("name",)


@admin.register(Budget)
class BudgetAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "circle", "fund", "period_start", "period_end", "available", "approval_limit", "is_pot")
    list_filter = ("organisation", "is_pot")
    list_select_related = ("circle", "fund")


@admin.register(Spending)
class SpendingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "amount", "budget", "deciding_circle", "state", "created_at")
    list_filter = ("organisation", "kind", "state", "escalated")
    list_select_related = ("budget", "deciding_circle")
    search_fields = ("title", "payee_name")


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("pk", "budget", "spending", "bucket", "amount", "outstanding", "state")
    list_filter = ("organisation", "state")
    list_select_related = ("budget", "spending", "bucket")


@admin.register(Entry)
class EntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "amount", "fund", "budget", "commitment", "reference", "reverses")
    list_filter = ("organisation", "kind")
    list_select_related = ("fund", "budget", "commitment", "reverses")
    search_fields = ("reference", "reason")
    date_hierarchy = "created_at"


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "spending", "content_type", "size", "uploaded_at")
    list_filter = ("organisation", "kind")
    exclude = ("file",)  # served only through the permission-checked view


@admin.register(Round)
class RoundAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "circle", "pool", "closes_at", "state")
    list_filter = ("organisation", "state")


@admin.register(Share)
class ShareAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("round", "member", "amount", "allocated")


@admin.register(Bucket)
class BucketAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "round", "min_goal", "max_goal", "total", "state")
    list_filter = ("state",)


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("bucket", "member", "amount", "updated_at")
