"""The admin for elections: elections, nominations, candidacies and ballots are read-only records
(the models are roles', their tables too); ballots are shown only once their election has closed,
and never next to a voter: who voted (BallotVoter) and what was chosen (Ballot) are separate lists
with nothing to join them by."""

from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from governance.admin_tools import ReadOnlyMixin, acting_member
from governance.errors import DomainError
from roles.models import Ballot, BallotVoter, Candidacy, CouncilSeat, Election, Nomination

from . import queries, services


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Elections and their records: written by the services, read here."""


class NominationInline(admin.TabularInline):
    model = Nomination
    fields = ("nominee", "nominated_by", "reason", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CandidacyInline(NominationInline):
    model = Candidacy
    fields = ("member", "statement", "created_at", "withdrawn_at")
    readonly_fields = fields


@admin.register(Election)
class ElectionAdmin(ReadOnlyAdmin):
    list_display = ("role", "circle", "method", "state", "seats", "term_starts_at", "opened_at", "closed_at")
    list_filter = ("state", "method", "organisation")
    list_select_related = ("role__circle",)
    search_fields = ("role__name", "role__circle__name")
    date_hierarchy = "opened_at"
    inlines = [NominationInline, CandidacyInline]
    actions = ["advance_if_due", "cancel"]
    fields = (
        "organisation",
        "role",
        "method",
        "counting",
        "state",
        "seats",
        "term_starts_at",
        "opened_by",
        "opened_at",
        "nominations_close_at",
        "applications_close_at",
        "voting_closes_at",
        "candidate",
        "proposal",
        "voters_count",
        "voters_weight",
        "published_results",
        "closed_at",
        "cancelled_at",
        "cancel_reason",
    )
    readonly_fields = fields

    @admin.display(ordering="role__circle__name")
    def circle(self, election):
        return election.role.circle

    @admin.display(description=_("results"))
    def published_results(self, election):
        return queries.published_results(election) or gettext("Hidden until the close.")

    def has_change_permission(self, request, obj=None):
        return obj is None and super(ReadOnlyMixin, self).has_change_permission(request, obj)

    @admin.action(description=_("Advance the selected ballots whose phase deadline has passed"))
    def advance_if_due(self, request, queryset):
        moved = sum(services.election_advance(election_id=e.pk) for e in queryset)
        self.message_user(
            request,
            ngettext(
                "Advanced %(count)d election; the others were not due.",
                "Advanced %(count)d elections; the others were not due.",
                moved,
            )
            % {"count": moved},
        )

    @admin.action(description=_("Cancel the selected elections"))
    def cancel(self, request, queryset):
        for election in queryset:
            try:
                services.election_cancel(
                    election=election,
                    by=acting_member(request, election.organisation_id),
                    reason="Cancelled by an administrator.",
                )
            except DomainError as error:
                self.message_user(request, f"{election}: {error.message}", messages.ERROR)


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ("election", "nominee", "nominated_by", "created_at")
    list_select_related = ("election__role", "nominee__user", "nominated_by__user")
    search_fields = ("election__role__name", "nominee__user__name", "reason")
    fields = ("election", "nominee", "nominated_by", "reason", "created_at")
    readonly_fields = fields


@admin.register(Candidacy)
class CandidacyAdmin(ReadOnlyAdmin):
    list_display = ("election", "member", "created_at", "withdrawn_at")
    list_select_related = ("election__role", "member__user")
    search_fields = ("election__role__name", "member__user__name")
    fields = ("election", "member", "statement", "created_at", "withdrawn_at")
    readonly_fields = fields


@admin.register(BallotVoter)
class BallotVoterAdmin(ReadOnlyAdmin):
    """Who may vote and whether they have: never what they chose."""

    list_display = ("election", "member", "weight", "has_voted")
    list_filter = ("has_voted",)
    list_select_related = ("election__role", "member__user")
    search_fields = ("member__user__name", "member__user__email")
    fields = ("election", "member", "weight", "has_voted")
    readonly_fields = fields


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    """Anonymous ballots as the pages publish them: once their election has closed, where no weight
    singles out a voter, ordered by what was chosen, with no id (voters are listed apart)."""

    list_display = ("election", "weight", "choices")
    list_display_links = None
    list_select_related = ("election__role",)
    ordering = ("election", "choices", "weight")
    fields = ("election", "weight", "choices")
    readonly_fields = fields

    def get_queryset(self, request):
        return queries.published_ballots(super().get_queryset(request))


@admin.register(CouncilSeat)
class CouncilSeatAdmin(ReadOnlyAdmin):
    """Seats on a council that elected terms gave (elections.councils): written by the rotation sweep."""

    list_display = ("assignment", "membership", "brought", "seated_at", "unseated_at")
    list_filter = ("brought",)
    list_select_related = (
        "assignment__role",
        "assignment__member__user",
        "membership__circle",
        "membership__member__user",
    )
    search_fields = ("assignment__member__user__name", "membership__circle__name", "assignment__role__name")
    fields = ("assignment", "membership", "brought", "seated_at", "unseated_at")
    readonly_fields = fields
