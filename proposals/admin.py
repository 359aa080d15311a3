"""Admin for proposals. Governance history is read-only here: versions, positions, tallies and
outcomes change only through the services (the actions below call them)."""

from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from governance.admin_tools import ReadOnlyMixin
from governance.errors import DomainError

from . import proxies, services
from .models import Change, Comment, EligibleVoter, Position, Proposal, ProposalVersion, Proxy


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0


class VersionInline(ReadOnlyInline):
    model = ProposalVersion
    fields = ("number", "title", "change_note", "author", "created_at")
    readonly_fields = fields


class ChangeInline(ReadOnlyInline):
    model = Change
    fields = ("ordinal", "kind", "summary", "applied_at", "error")
    readonly_fields = fields


class CommentInline(ReadOnlyInline):
    model = Comment
    fields = ("author", "is_question", "body", "created_at")
    readonly_fields = fields


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("title", "circle", "organisation", "state", "method", "outcome", "closes_at", "responded")
    list_filter = ("state", "method", "outcome", "enacted", "anonymous", "organisation")
    search_fields = ("title", "body", "circle__name")
    date_hierarchy = "created_at"
    list_select_related = ("circle", "organisation")
    raw_id_fields = ("circle", "author", "outcome_by")
    readonly_fields = (
        "organisation",
        "circle",
        "author",
        "title",
        "body",
        "method",
        "threshold",
        "quorum_percent",
        "anonymous",
        "hidden_results",
        "early_close",
        "round_length",
        "state",
        "version",
        "created_at",
        "opened_at",
        "closes_at",
        "closed_at",
        "withdrawn_at",
        "tally_shown",
        "eligible_count",
        "eligible_weight",
        "outcome",
        "outcome_statement",
        "outcome_by",
        "review_date",
        "enacted",
        "enactment_error",
        "enacted_at",
    )
    exclude = ("tally",)  # shown through tally_shown, which hides it until the close of a hidden round
    inlines = [VersionInline, ChangeInline, CommentInline]
    actions = ["close_if_due", "withdraw"]

    @admin.display(description=_("tally"))
    def tally_shown(self, obj):
        # The admin keeps the promise too: no count by kind before the close of a hidden round.
        return gettext("hidden until the close") if obj.results_hidden else obj.tally

    @admin.display(description=_("responded"))
    def responded(self, obj):
        return f"{obj.responded_count}/{obj.eligible_count}"

    def has_add_permission(self, request):
        return False  # proposals are drafted by members in their circle

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Close the selected rounds if their deadline has passed"))
    def close_if_due(self, request, queryset):
        closed = sum(services.proposal_close(proposal_id=p.pk) for p in queryset)
        self.message_user(
            request,
            ngettext(
                "Closed %(count)s proposal; the others were not open or not due yet.",
                "Closed %(count)s proposals; the others were not open or not due yet.",
                closed,
            )
            % {"count": closed},
        )

    @admin.action(description=_("Withdraw the selected proposals"))
    def withdraw(self, request, queryset):
        for proposal in queryset:
            try:
                services.proposal_withdraw(proposal=proposal, by=None)
            except DomainError as error:
                self.message_user(request, f"{proposal}: {error.message}", messages.ERROR)


@admin.register(Position)
class PositionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Positions, read-only. Who took which position in an anonymous round is never shown."""

    list_display = ("proposal", "who", "kind_shown", "by_proxy", "version", "weight", "is_current", "created_at")
    list_filter = ("is_current", "retired_because")
    search_fields = ("proposal__title",)
    list_select_related = ("proposal", "member__user", "by_proxy__user")
    fields = (
        "proposal",
        "who",
        "kind_shown",
        "reason_shown",
        "by_proxy",
        "version",
        "weight",
        "is_current",
        "created_at",
        "retired_at",
        "retired_because",
    )
    readonly_fields = fields

    @admin.display(description=_("member"))
    def who(self, obj):
        return gettext("hidden (anonymous round)") if obj.proposal.anonymous else str(obj.member.user)

    @admin.display(description=_("kind"))
    def kind_shown(self, obj):
        return gettext("hidden until the close") if obj.proposal.results_hidden else obj.get_kind_display()

    @admin.display(description=_("reason"))
    def reason_shown(self, obj):
        return gettext("hidden until the close") if obj.proposal.results_hidden else obj.reason


@admin.register(Proxy)
class ProxyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Proxies with their history, read-only; the action ends them through the service."""

    list_display = ("grantor", "holder", "proposal", "circle", "created_at", "revoked_at", "end_reason")
    list_filter = ("end_reason", "organisation")
    search_fields = ("grantor__user__name", "holder__user__name", "grantor__user__email", "holder__user__email")
    list_select_related = ("grantor__user", "holder__user", "proposal", "circle")
    readonly_fields = (
        "organisation",
        "grantor",
        "holder",
        "proposal",
        "circle",
        "created_at",
        "revoked_at",
        "revoked_by",
        "end_reason",
    )
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected proxies"))
    def revoke(self, request, queryset):
        for proxy in queryset.filter(revoked_at__isnull=True):
            proxies.proxy_revoke(proxy=proxy, by=None)
        self.message_user(request, gettext("Revoked."))


@admin.register(EligibleVoter)
class EligibleVoterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("proposal", "member", "weight")
    search_fields = ("proposal__title", "member__user__email", "member__user__name")
    list_select_related = ("proposal", "member__user")
    readonly_fields = ("proposal", "member", "weight")


@admin.register(Change)
class ChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The changes proposals carry, read-only: they change through the proposal's author and apply
    when its round passes."""

    list_display = ("summary", "kind", "proposal", "ordinal", "applied_at", "error")
    list_filter = ("kind", ("applied_at", admin.EmptyFieldListFilter))
    search_fields = ("proposal__title", "kind")
    list_select_related = ("proposal",)
    fields = ("proposal", "ordinal", "kind", "data", "description", "applied_at", "error", "created_at")
    readonly_fields = fields
