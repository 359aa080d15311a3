"""The Django admin for organisations, people, invitations, tokens, the event log and the outbox.

The admin is one more caller of the services: adding or changing a record here runs the same
service function as the web pages and the API, so the same rules refuse the same things, and the
event log records the change. Governance history cannot be rewritten from here: events are
read-only, and nothing that carries history can be deleted.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from governance.text import single_line

from . import services
from .admin_tools import ReadOnlyMixin, ServiceAdmin, acting_member, null_filter
from .models import (
    ApiToken,
    Event,
    Invitation,
    Member,
    MembershipClass,
    Notification,
    NotificationPreference,
    Organisation,
    Provenance,
    SweepFailure,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)

admin.site.site_header = "Governance administration"
admin.site.site_title = "Governance admin"
admin.site.index_title = "Records"


def admin_login(request, extra_context=None):
    """The admin has no login form of its own: it sends people to allauth's login, which is
    rate-limited, so there is one way in and one limit on guessing passwords."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return HttpResponseRedirect(next_url)
        # Sending a signed-in non-staff person back to the login page would loop.
        raise PermissionDenied(gettext("Your account may not use the admin."))
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


admin.site.login = admin_login


# People ----------------------------------------------------------------------------------------


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("There is already an account with this email address.")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("There is already an account with this email address.")
        return email


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ("email", "name", "language", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "language", "groups")
    search_fields = ("email", "name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("name", "language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "usable_password", "password1", "password2")}),
    )

    def has_delete_permission(self, request, obj=None):
        # People are referenced by memberships, events and votes; deactivate instead.
        return False


# Organisations ---------------------------------------------------------------------------------


class MembershipClassInline(ReadOnlyMixin, admin.TabularInline):
    model = MembershipClass
    fields = ("name", "voting_weight", "may_vote", "description")
    readonly_fields = fields
    extra = 0
    show_change_link = True


class OrganisationAddForm(forms.ModelForm):
    creator = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        help_text="Becomes the organisation's first admin and steward of its general circle.",
    )

    class Meta:
        model = Organisation
        fields = ("name", "slug", "description", "time_zone", "language", "currency")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "Leave empty to derive it from the name."
        for name in ("language", "currency"):
            self.fields[name].required = False


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    list_display = ("name", "slug", "time_zone", "member_count", "created_at")
    search_fields = ("name", "slug")
    list_filter = ("time_zone",)
    date_hierarchy = "created_at"
    inlines = [MembershipClassInline]
    add_fieldsets = (
        (None, {"fields": ("name", "slug", "creator", "description", "time_zone", "language", "currency")}),
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "description", "time_zone", "language", "currency", "created_at")}),
        (
            "Settings",
            {
                "fields": (
                    "circle_size_min",
                    "circle_size_max",
                    "load_max_circles",
                    "consent_round_days",
                    "proxies_max_held",
                    "structure_by_consent",
                )
            },
        ),
    )

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = OrganisationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ("slug", "created_at") if obj else ()

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_queryset(self, request):
        active = Q(members__status=Member.Status.ACTIVE)
        return super().get_queryset(request).annotate(active_members=Count("members", filter=active, distinct=True))

    @admin.display(description="active members", ordering="active_members")
    def member_count(self, organisation):
        return organisation.active_members

    def organisation_add(self, **data) -> Organisation:
        """Create the organisation the add form describes. The project founds it whole, with its
        general circle (project.admin); the core alone knows only the organisation and its admin."""
        return services.organisation_create(**data)

    def service_save(self, request, form, change):
        if not change:
            data = form.cleaned_data
            return self.organisation_add(
                name=data["name"],
                slug=data["slug"],
                creator=data["creator"],
                description=data["description"],
                time_zone=data["time_zone"],
                language=data["language"] or "en",
                currency=data["currency"] or "EUR",
            )
        organisation = Organisation.objects.get(pk=form.instance.pk)
        return services.organisation_update(
            organisation=organisation,
            by=acting_member(request, organisation.pk),
            **self.changed(form, services.ORGANISATION_SETTINGS),
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MembershipClass)
class MembershipClassAdmin(ServiceAdmin):
    list_display = ("name", "organisation", "voting_weight", "may_vote")
    list_filter = ("may_vote", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("name", "organisation__name")
    autocomplete_fields = ("organisation",)
    fields = ("organisation", "name", "voting_weight", "may_vote", "description")

    def get_readonly_fields(self, request, obj=None):
        return ("organisation",) if obj else ()

    def service_save(self, request, form, change):
        data = form.cleaned_data
        organisation = form.instance.organisation
        return services.membership_class_save(
            organisation=organisation,
            by=acting_member(request, organisation.pk),
            name=data["name"],
            voting_weight=data["voting_weight"],
            may_vote=data["may_vote"],
            description=data["description"],
            membership_class=MembershipClass.objects.get(pk=form.instance.pk) if change else None,
        )

    def has_delete_permission(self, request, obj=None):
        return False


class MemberChangeForm(forms.ModelForm):
    leave_reason = forms.CharField(
        required=False,
        max_length=300,
        label="Ends membership because",
        help_text="To end this membership, say why and save. Their circle memberships and roles end "
        "with it; the history is kept.",
        validators=[single_line],
    )

    class Meta:
        model = Member
        fields = ("membership_class", "is_admin")


@admin.register(Member)
class MemberAdmin(ServiceAdmin):
    list_display = ("user", "organisation", "membership_class", "is_admin", "status", "joined_at", "left_at")
    list_filter = ("status", "is_admin", "organisation", "membership_class")
    list_select_related = ("user", "organisation", "membership_class")
    search_fields = ("user__email", "user__name", "organisation__name")
    autocomplete_fields = ("organisation", "user", "membership_class")
    date_hierarchy = "joined_at"
    actions = ["rejoin_selected"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("organisation", "user", "membership_class", "is_admin")
        fields = ["organisation", "user", "membership_class", "is_admin", "status", "joined_at"]
        if obj.is_active and self.has_change_permission(request, obj):
            return [*fields, "leave_reason"]
        return [*fields, "left_at", "left_reason"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("organisation", "user", "status", "joined_at", "left_at", "left_reason")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = MemberChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request, obj=None):
        # A member who has left is history; "Rejoin" welcomes them back.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_active)

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, form, change):
        data = form.cleaned_data
        if not change:
            organisation = data["organisation"]
            return services.member_add(
                organisation=organisation,
                user=data["user"],
                membership_class=data["membership_class"],
                by=acting_member(request, organisation.pk),
                is_admin=data["is_admin"],
            )
        member = Member.objects.select_related("membership_class", "user", "organisation").get(pk=form.instance.pk)
        by = acting_member(request, member.organisation_id)
        changes = self.changed(form, ("membership_class", "is_admin"))
        if changes:
            member = services.member_update(member=member, by=by, **changes)
        if data.get("leave_reason"):
            member = services.member_remove(member=member, by=by, reason=data["leave_reason"])
        return member

    @admin.action(description="Welcome back selected members who had left", permissions=["change"])
    def rejoin_selected(self, request, queryset):
        self.run_action(
            request,
            queryset.select_related("organisation", "user", "membership_class"),
            lambda member: services.member_add(
                organisation=member.organisation,
                user=member.user,
                membership_class=member.membership_class,
                by=acting_member(request, member.organisation_id),
            ),
            done="Members welcomed back",
        )


# Invitations and tokens ------------------------------------------------------------------------


class InvitationAddForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ("organisation", "email", "bound_to_email", "membership_class", "circle", "message", "invited_by")
        help_texts = {"invited_by": "The member the invitation comes from; the email names them."}


@admin.register(Invitation)
class InvitationAdmin(ServiceAdmin):
    list_display = (
        "email",
        "bound_to_email",
        "organisation",
        "circle",
        "state_display",
        "invited_by",
        "created_at",
        "expires_at",
    )
    list_filter = (
        "organisation",
        "bound_to_email",
        null_filter("accepted_at", "accepted", "Accepted", "Not accepted"),
        null_filter("revoked_at", "revoked", "Revoked", "Not revoked"),
    )
    list_select_related = ("organisation", "circle", "invited_by__user", "invited_by__organisation")
    search_fields = ("email", "organisation__name")
    autocomplete_fields = ("organisation", "membership_class", "circle", "invited_by")
    date_hierarchy = "created_at"
    actions = ["revoke_selected", "resend_selected"]
    readonly_fields = (
        "state_display",
        "name",
        "more_circles",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
        "resent_from",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return InvitationAddForm.Meta.fields
        return (*InvitationAddForm.Meta.fields, *self.readonly_fields)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description="state")
    def state_display(self, invitation):
        return invitation.state

    def has_change_permission(self, request, obj=None):
        # An invitation is never edited: revoke it and send a new one.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, form, change):
        data = form.cleaned_data
        invitation, _token = services.invitation_create(
            organisation=data["organisation"],
            by=data["invited_by"],
            email=data["email"],
            membership_class=data["membership_class"],
            circle=data["circle"],
            message=data["message"],
            bound_to_email=data["bound_to_email"],
        )
        self.message_user(request, f"The invitation link is on its way to {invitation.email}.", messages.INFO)
        return invitation

    @admin.action(description="Revoke selected invitations", permissions=["change"])
    def revoke_selected(self, request, queryset):
        self.run_action(
            request,
            queryset.select_related("organisation"),
            lambda invitation: services.invitation_revoke(
                invitation=invitation, by=acting_member(request, invitation.organisation_id)
            ),
            done="Invitations revoked",
        )

    @admin.action(description="Send selected invitations again, with new links", permissions=["change"])
    def resend_selected(self, request, queryset):
        self.run_action(
            request,
            queryset.select_related("organisation", "membership_class", "circle", "invited_by"),
            lambda invitation: services.invitation_resend(
                invitation=invitation, by=acting_member(request, invitation.organisation_id) or invitation.invited_by
            ),
            done="Invitations sent again",
        )


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "name", "read_only", "expires_at")


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdmin):
    list_display = (
        "name",
        "user",
        "organisation",
        "prefix",
        "read_only",
        "usable",
        "created_at",
        "last_used_at",
        "expires_at",
    )
    list_filter = (
        "read_only",
        null_filter("revoked_at", "revoked", "Revoked", "Not revoked"),
        null_filter("organisation", "kind", "Integration tokens", "Personal tokens"),
    )
    list_select_related = ("user", "organisation")
    search_fields = ("name", "prefix", "user__email", "user__name", "organisation__name")
    autocomplete_fields = ("user",)
    date_hierarchy = "created_at"
    actions = ["revoke_selected"]
    # The key's hash is never shown, let alone editable: the prefix is enough to recognise a token.
    readonly_fields = (
        "prefix",
        "usable",
        "organisation",
        "member",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ApiTokenAddForm.Meta.fields
        return (*ApiTokenAddForm.Meta.fields, *self.readonly_fields)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(boolean=True, description="usable")
    def usable(self, token):
        return token.is_usable

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, form, change):
        data = form.cleaned_data
        token, key = services.api_token_create(
            user=data["user"], name=data["name"], read_only=data["read_only"], expires_at=data["expires_at"]
        )
        self.message_user(request, f"Copy the token now; it is not shown again: {key}", messages.WARNING)
        return token

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke_selected(self, request, queryset):
        self.run_action(request, queryset, lambda token: services.api_token_revoke(token=token), done="Tokens revoked")


# The event log and the outbox ------------------------------------------------------------------


@admin.register(Event)
class EventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The event log, to read. Nobody adds, edits or deletes a line of it."""

    list_display = ("created_at", "organisation", "verb", "object_repr", "actor", "circle")
    list_filter = ("verb", "object_type", "organisation")
    list_select_related = ("organisation", "actor__user", "actor__organisation", "circle")
    search_fields = ("verb", "object_repr", "actor__user__email", "actor__user__name")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "organisation",
        "actor",
        "verb",
        "object_type",
        "object_id",
        "object_repr",
        "circle",
        "details",
    )
    readonly_fields = fields


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Webhook endpoints, to read: organisation admins register and change them on their pages.
    The signing secret is not shown."""

    list_display = ("__str__", "organisation", "url", "is_active", "consecutive_failures", "created_at")
    list_filter = ("is_active", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("url", "description", "organisation__name")
    date_hierarchy = "created_at"
    fields = (
        "organisation",
        "url",
        "description",
        "event_types",
        "created_by",
        "created_at",
        "is_active",
        "disabled_at",
        "disabled_reason",
        "consecutive_failures",
    )
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The webhook outbox, to read: what was sent where, how it went, and when it is tried again."""

    list_display = ("event_type", "endpoint", "status", "attempts", "response_status", "created_at", "delivered_at")
    list_filter = ("status", "event_type", "endpoint__organisation")
    list_select_related = ("endpoint",)
    search_fields = ("event_type", "endpoint__url", "endpoint__description")
    date_hierarchy = "created_at"
    fields = (
        "endpoint",
        "event",
        "event_type",
        "payload",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "last_attempt_at",
        "delivered_at",
        "response_status",
        "response_ms",
        "last_error",
    )
    readonly_fields = fields


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """How members take each kind of email; theirs to change, on their preferences page or by the
    one-click unsubscribe, so read-only here."""

    list_display = ("member", "kind", "delivery", "updated_at")
    list_filter = ("delivery", "kind")
    list_select_related = ("member__user", "member__organisation")
    search_fields = ("member__user__email", "member__user__name", "kind")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, to read and to nudge: "Retry now" sends a stuck message without waiting for its backoff."""

    list_display = (
        "email",
        "kind",
        "key",
        "subject",
        "created_at",
        "sent_at",
        "held_for_digest",
        "attempts",
        "next_attempt_at",
    )
    list_filter = ("kind", null_filter("sent_at", "sent", "Sent", "Not sent yet"), "held_for_digest")
    list_select_related = ("recipient",)
    search_fields = ("email", "key", "subject")
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    fields = (
        "recipient",
        "email",
        "organisation",
        "kind",
        "key",
        "subject",
        "body",
        "html",
        "held_for_digest",
        "digest",
        "created_at",
        "sent_at",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request, queryset):
        sent, failed, skipped = 0, 0, 0
        for pk, sent_at in queryset.values_list("pk", "sent_at"):
            if sent_at is not None:
                skipped += 1
            elif services.notification_send(notification_id=pk):
                sent += 1
            else:
                failed += 1
        if sent:
            self.message_user(request, f"Sent: {sent}.", messages.SUCCESS)
        if failed:
            self.message_user(
                request, f"Could not send {failed}; see the last error. They will be retried later.", messages.ERROR
            )
        if skipped:
            self.message_user(request, f"Already sent, left alone: {skipped}.", messages.INFO)


@admin.register(SweepFailure)
class SweepFailureAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Items a periodic sweep could not process, to read: the sweep retries each after its backoff
    and resolves it when it goes through. Fix the cause; there is nothing to edit here."""

    list_display = (
        "sweep",
        "object_type",
        "object_id",
        "object_repr",
        "organisation",
        "attempts",
        "last_failed_at",
        "next_attempt_at",
        "resolved_at",
    )
    list_filter = ("sweep", null_filter("resolved_at", "resolved", "Resolved", "Still failing"), "organisation")
    list_select_related = ("organisation",)
    search_fields = ("sweep", "object_type", "object_repr", "error")
    date_hierarchy = "last_failed_at"
    fields = (
        "sweep",
        "object_type",
        "object_id",
        "object_repr",
        "organisation",
        "error",
        "traceback",
        "attempts",
        "first_failed_at",
        "last_failed_at",
        "next_attempt_at",
        "reported_at",
        "resolved_at",
    )
    readonly_fields = fields


@admin.register(Provenance)
class ProvenanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Which decision (or admin override) made or changed each piece of structure. Written by the
    changes a passed proposal applies and by logged overrides; nothing here is edited."""

    list_display = ("summary", "object_type", "object_id", "circle", "proposal_id", "actor", "created_at")
    list_filter = (
        "object_type",
        "change_kind",
        null_filter("proposal_id", "decision", "Decision", "Override (no decision)"),
    )
    search_fields = ("summary", "object_repr", "proposal_title", "override_reason")
    list_select_related = ("circle", "actor__user")
