"""The admin for roles, terms and elections. An assignment is ended with a reason, never deleted, and
an ended assignment cannot be edited. Role definitions are written through the services. Elections,
nominations, candidacies and ballots are read-only records; ballots are shown only once their election
has closed, and never next to a voter: who voted (BallotVoter) and what was chosen (Ballot) are
separate lists with nothing to join them by."""

from django import forms
from django.contrib import admin, messages
from django.db.models import F

from governance.admin import ReadOnlyMixin, ServiceAdmin, acting_member, null_filter
from governance.errors import DomainError

from . import queries, services
from .models import Ballot, BallotVoter, Candidacy, Election, Nomination, Role, RoleAssignment, RoleTemplate


@admin.display(description="member", ordering="member__user__name")
def person(assignment):
    return assignment.member.user


class AssignmentInline(ReadOnlyMixin, admin.TabularInline):
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


ROLE_FIELDS = (
    "name",
    "purpose",
    "domains",
    "accountabilities",
    "time_hours",
    "time_period",
    "is_paid",
    "seats",
    "term_months",
    "term_limit",
    "selection",
    "election_method",
    "auto_renew",
)


@admin.register(Role)
class RoleAdmin(ServiceAdmin):
    """Role definitions are edited through role_create and role_update, so that the same checks apply
    as on the pages; the terms below (history) are read-only."""

    list_display = ("name", "circle", "kind", "seats", "term_months", "term_limit", "selection", "archived_at")
    list_filter = (
        "kind",
        "selection",
        null_filter("archived_at", "archived", "Archived", "Active"),
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

    def service_save(self, request, form, change):
        data = {f: form.cleaned_data[f] for f in ROLE_FIELDS if f in form.cleaned_data}
        if not change:
            circle = form.cleaned_data["circle"]
            return services.role_create(circle=circle, by=acting_member(request, circle.organisation_id), **data)
        role = Role.objects.select_related("circle__organisation").get(pk=form.instance.pk)
        changes = {f: v for f, v in data.items() if f in form.changed_data}
        return services.role_update(role=role, by=acting_member(request, role.circle.organisation_id), **changes)

    @admin.action(description="Archive the selected roles (their terms end; history stays)")
    def archive(self, request, queryset):
        self.run_action(
            request,
            queryset.select_related("circle__organisation"),
            lambda role: services.role_archive(role=role, by=acting_member(request, role.circle.organisation_id)),
            done="Archived",
        )


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
        return (
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

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "role",
            "member",
            "started_at",
            "planned_end_at",
            "term_number",
            "assigned_by",
            "election",
            "parent_membership",
            "ended_at",
            "end_note",
        )

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

    @admin.display(description="results")
    def published_results(self, election):
        return queries.published_results(election) or "Hidden until the close."

    def has_change_permission(self, request, obj=None):
        return obj is None and super(ReadOnlyMixin, self).has_change_permission(request, obj)

    @admin.action(description="Advance the selected ballots whose phase deadline has passed")
    def advance_if_due(self, request, queryset):
        moved = sum(services.election_advance(election_id=e.pk) for e in queryset)
        self.message_user(request, f"Advanced {moved} election(s); the others were not due.")

    @admin.action(description="Cancel the selected elections")
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
