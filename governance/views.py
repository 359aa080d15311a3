"""Organisation-level pages that show no other app's data: home, settings and membership classes,
changing a membership, revoking and accepting invitations; and /healthz/. The pages that show circles
or roles too (the organisation home, the members, a member's page, the invitations) are project.views.

Each view parses its input, fetches and checks with get_organisation_for (404 for outsiders, 403 for
members who may not act), calls one service, and shows the service's refusal on the form."""

import rules
from celery import current_app
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .cache import FailoverRedisCache
from .errors import DomainError
from .forms import (
    LanguageForm,
    MembershipClassForm,
    MemberUpdateForm,
    NotificationPreferencesForm,
    OrganisationSettingsForm,
    add_domain_error,
)
from .inbox import inbox_for_request
from .middleware import language_free, language_of
from .models import Invitation, Member, MembershipClass, NotificationPreference
from .notifications import can_turn_off, deliveries_for, email_kinds, unsubscribe_read
from .queries import get_organisation_for, member_in, organisation_invitations_visible_to
from .rules import active_members, forget_access_cache


def home(request):
    """The start page: a welcome for visitors; the organisation itself for someone in just one."""
    if not request.user.is_authenticated:
        return render(request, "home_anonymous.html")
    members = sorted(active_members(request.user).values(), key=lambda m: m.organisation.name)
    if len(members) == 1:
        return redirect("organisation", org=members[0].organisation.slug)
    may_create = rules.test_rule("governance.create_organisation", request.user)
    return render(request, "home.html", {"members": members, "may_create_organisation": may_create})


# Settings and membership classes -------------------------------------------------------------


@login_required
def organisation_settings(request, org):
    organisation, me = get_organisation_for(request.user, org, action="governance.change_organisation")
    form = OrganisationSettingsForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=organisation, by=me, **form.cleaned_data)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("organisation_settings", org=organisation.slug)
    return _settings_page(request, organisation, form=form, class_form=MembershipClassForm())


def _settings_page(request, organisation, *, form, class_form):
    classes = MembershipClass.objects.filter(organisation=organisation)
    context = {"organisation": organisation, "form": form, "class_form": class_form, "classes": classes}
    return render(request, "governance/settings.html", {**context, "nav": "settings"})


@login_required
@require_POST
def membership_class_add(request, org):
    organisation, me = get_organisation_for(request.user, org, action="governance.change_organisation")
    class_form = MembershipClassForm(request.POST)
    if class_form.is_valid():
        try:
            created = services.membership_class_save(organisation=organisation, by=me, **class_form.cleaned_data)
        except DomainError as e:
            add_domain_error(class_form, e)
        else:
            messages.success(request, _("Membership class “%(name)s” added.") % {"name": created.name})
            return redirect(reverse("organisation_settings", kwargs={"org": organisation.slug}) + "#classes")
    form = OrganisationSettingsForm(organisation=organisation)
    return _settings_page(request, organisation, form=form, class_form=class_form)


@login_required
def membership_class_edit(request, org, pk):
    organisation, me = get_organisation_for(request.user, org, action="governance.change_organisation")
    membership_class = get_object_or_404(MembershipClass, organisation=organisation, pk=pk)
    form = (
        MembershipClassForm(request.POST)
        if request.method == "POST"
        else MembershipClassForm.for_class(membership_class)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_class_save(
                organisation=organisation, by=me, membership_class=membership_class, **form.cleaned_data
            )
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Membership class “%(name)s” saved.") % {"name": membership_class.name})
            return redirect(reverse("organisation_settings", kwargs={"org": organisation.slug}) + "#classes")
    context = {"organisation": organisation, "membership_class": membership_class, "form": form, "nav": "settings"}
    return render(request, "governance/membership_class_edit.html", context)


# Members -------------------------------------------------------------------------------------


@login_required
@require_POST
def member_update(request, org, pk):
    """Change a member's class or admin flag. The first POST shows what will change and asks to
    confirm; the confirmed POST makes the change."""
    organisation, me = get_organisation_for(request.user, org, action="governance.manage_members")
    member = member_in(organisation, pk)
    form = MemberUpdateForm(request.POST, member=member)
    changes = _member_changes(member, form.cleaned_data) if form.is_valid() else []
    if form.is_valid() and not changes:
        messages.info(request, _("Nothing to change."))
        return redirect("member", org=organisation.slug, pk=member.pk)
    if changes and request.POST.get("confirmed") == "yes":
        try:
            services.member_update(member=member, by=me, **form.cleaned_data)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            forget_access_cache(request.user)
            messages.success(request, _("%(name)s’s membership is updated.") % {"name": member.user.display_name})
            return redirect("member", org=organisation.slug, pk=member.pk)
    context = {"organisation": organisation, "member": member, "form": form, "changes": changes, "nav": "members"}
    return render(request, "governance/member_update_confirm.html", context)


def _member_changes(member, data) -> list[str]:
    changes = []
    if data["membership_class"].pk != member.membership_class_id:
        changes.append(
            _("Membership class: %(old)s → %(new)s")
            % {"old": member.membership_class.name, "new": data["membership_class"].name}
        )
    if data["is_admin"] != member.is_admin:
        changes.append(
            _("Becomes an organisation admin") if data["is_admin"] else _("Is no longer an organisation admin")
        )
    return changes


# Invitations ---------------------------------------------------------------------------------


def may_handle_invitation(user, organisation, circle) -> bool:
    return rules.test_rule("governance.handle_invitation", user, Invitation(organisation=organisation, circle=circle))


@login_required
@require_POST
def invitation_revoke(request, org, pk):
    organisation, me = get_organisation_for(request.user, org, action="governance.invite_members")
    invitation = get_object_or_404(organisation_invitations_visible_to(request.user, organisation), pk=pk)
    if not may_handle_invitation(request.user, organisation, invitation.circle):
        raise PermissionDenied(_("Only an admin or the circle's steward can revoke this invitation."))
    try:
        services.invitation_revoke(invitation=invitation, by=me)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is revoked; its link no longer works.") % {"email": invitation.email},
        )
    return redirect("invitations", org=organisation.slug)


def invitation_accept(request, token):
    """The page an invitation link opens. Anyone holding the link may see who invites them to what;
    accepting needs an account, so visitors are offered sign-up and log-in links that come back here."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "governance/invitation_accept.html", {"invitation": None}, status=404)
    error, status = None, 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            member = services.invitation_accept(token=token, user=request.user)
        except DomainError as e:
            error, status = e.message, e.status_code
        else:
            forget_access_cache(request.user)
            messages.success(request, _("Welcome to %(name)s!") % {"name": member.organisation.name})
            return redirect("organisation", org=member.organisation.slug)
    signed_in = request.user.is_authenticated
    context = {
        "invitation": invitation,
        "error": error,
        "already_member": signed_in and invitation.organisation_id in active_members(request.user),
        "for_me": signed_in and services.invitation_is_for(invitation, request.user),
    }
    return render(request, "governance/invitation_accept.html", context, status=status)


# Health --------------------------------------------------------------------------------------


def language_choose(request):
    """The language menu. Someone signed in keeps their choice on their account (and may go back to
    their organisation's); anyone else keeps it in the language cookie. Either way the cookie is set,
    so that the page they go back to, and the next visit, are in it."""
    signed_in = request.user.is_authenticated
    initial = {"language": request.user.language if signed_in else translation.get_language()}
    form = LanguageForm(request.POST or None, signed_in=signed_in, initial={**initial, "next": request.GET.get("next")})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        if signed_in:
            services.user_update(user=request.user, language=language)
        chosen = language or translation.get_language()
        if signed_in and not language:
            from_organisation = language_of(request.user)  # their one organisation's, if they have one
            chosen = from_organisation or chosen
        translation.activate(chosen)
        messages.success(request, _("Your pages are now in %(language)s.") % {"language": _language_name(chosen)})
        target = form.cleaned_data["next"]
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("language")
        response = redirect(target)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            chosen,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return render(request, "account/language.html", {"form": form})


def _language_name(code: str) -> str:
    return dict(settings.LANGUAGES).get(code, code)


def permission_denied(request, exception=None):
    """The 403 page, with the organisation's navigation when the page refused belongs to an
    organisation the person is a member of, so that a refusal is not a dead end."""
    organisation = None
    slug = request.resolver_match.kwargs.get("org") if request.resolver_match else None
    if slug and request.user.is_authenticated:
        organisation = next(
            (m.organisation for m in active_members(request.user).values() if m.organisation.slug == slug), None
        )
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"organisation": organisation, "exception": message}, status=403)


@language_free
def favicon(request):
    """Browsers and feed readers ask for /favicon.ico whatever a page says: the static icon."""
    return redirect(static("favicon.ico"), permanent=True)


@never_cache
@language_free
def healthz(request):
    """Database, cache and broker reachability, for load balancers and uptime checks. While Redis is
    down the pages and the API keep answering (the cache falls back to process memory), but this says
    503 so that someone is told."""
    checks = {"database": _database_ok(), "cache": _cache_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "unreachable" for k, v in checks.items()}},
        status=200 if healthy else 503,
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def _cache_ok() -> bool:
    cache = caches["default"]
    if isinstance(cache, FailoverRedisCache):
        return cache.is_reachable()
    try:
        cache.get("healthz")
    except Exception:
        return False
    return True


def _broker_ok() -> bool:
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


# What needs me -----------------------------------------------------------------------------------


@login_required
def inbox(request, org):
    """Everything waiting for me in one organisation (each app's inbox sources), nearest deadline first."""
    organisation, me = get_organisation_for(request.user, org)
    found = inbox_for_request(request, me)
    context = {
        "organisation": organisation,
        "me": me,
        "inbox": found,
        "entries": found.entries,
        "counts": found.labelled_counts(),
        "now": timezone.now(),
        "nav": "inbox",
    }
    return render(request, "inbox/inbox.html", context)


@login_required
def inbox_count(request, org):
    """The navigation's count of what needs me, fetched by the page once it has loaded (htmx), so
    that a page that does not show the inbox does not run its queries while it renders."""
    _organisation, me = get_organisation_for(request.user, org)
    response = render(request, "inbox/_nav_count.html", {"total": inbox_for_request(request, me).total})
    response["Cache-Control"] = "private, no-store"
    return response


# Notification preferences and the one-click unsubscribe ------------------------------------------


@login_required
def notification_preferences(request, org):
    """Which emails I get from this organisation, kind by kind: at once, in a daily digest, or off."""
    organisation, me = get_organisation_for(request.user, org)
    chosen = deliveries_for(me)
    form = NotificationPreferencesForm(request.POST or None, kinds=email_kinds(), chosen=chosen)
    if request.method == "POST" and form.is_valid():
        changed = 0
        for key, delivery in form.cleaned_data.items():
            if chosen.get(key, NotificationPreference.Delivery.NOW) != delivery:
                services.notification_preference_set(member=me, kind=key, delivery=delivery)
                changed += 1
        messages.success(request, _("Your email preferences are saved.") if changed else _("Nothing changed."))
        return redirect("notification_preferences", org=organisation.slug)
    context = {
        "organisation": organisation,
        "me": me,
        "form": form,
        "digest_hour": settings.DIGEST_HOUR,
        "nav": "inbox",
    }
    return render(request, "inbox/preferences.html", context)


# A mail client's one-click POST (RFC 8058) has no session and no CSRF token: the signed token is the proof.
@csrf_exempt
@never_cache
def unsubscribe(request, token):
    """Turn one kind of email off for the person the signed token names, without logging in: GET asks
    to confirm (a link scanner must not unsubscribe anyone), POST does it."""
    try:
        user_id, organisation_id, kind = unsubscribe_read(token)
    except signing.BadSignature:
        return render(request, "inbox/unsubscribe.html", {"refused": True}, status=400)
    member = (
        Member.objects.filter(user_id=user_id, organisation_id=organisation_id, status=Member.Status.ACTIVE)
        .select_related("organisation", "user")
        .first()
    )
    if member is None or not can_turn_off(kind):
        return render(request, "inbox/unsubscribe.html", {"refused": True}, status=404)
    label = next((k.label for k in email_kinds() if k.key == kind), kind)
    context = {"member": member, "organisation": member.organisation, "label": label, "token": token, "done": False}
    if request.method == "POST":
        services.notification_preference_set(member=member, kind=kind, delivery=NotificationPreference.Delivery.OFF)
        context["done"] = True
    return render(request, "inbox/unsubscribe.html", context)
