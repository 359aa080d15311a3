"""Organisation-level pages: home, organisation home, settings, members, invitations; and /healthz/.

Each view parses its input, fetches and checks with get_organisation_for (404 for outsiders, 403 for
members who may not act), calls one service, and shows the service's refusal on the form."""

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from circles.models import Circle, CircleMembership
from circles.queries import circle_tree, circles_of_member, flatten
from roles.models import RoleAssignment

from . import services
from .cache import FailoverRedisCache
from .errors import DomainError
from .forms import (
    InvitationForm,
    MemberFilterForm,
    MemberRemoveForm,
    MembershipClassForm,
    MemberUpdateForm,
    OrganisationSettingsForm,
    add_domain_error,
)
from .models import Invitation, MembershipClass
from .queries import get_organisation_for, invitations_visible_to, member_directory, member_with_load, recent_events
from .rules import active_members, forget_access_cache, stewarded_circle_ids


def home(request):
    """The start page: a welcome for visitors; the organisation itself for someone in just one."""
    if not request.user.is_authenticated:
        return render(request, "home_anonymous.html")
    members = sorted(active_members(request.user).values(), key=lambda m: m.organisation.name)
    if len(members) == 1:
        return redirect("organisation", org=members[0].organisation.slug)
    return render(request, "home.html", {"members": members})


# The organisation home -------------------------------------------------------------------------


@login_required
def organisation_home(request, org):
    organisation, me = get_organisation_for(request.user, org)
    show_archived = me.is_admin and request.GET.get("archived") == "1"
    nodes = flatten(circle_tree(organisation, include_archived=show_archived))
    my_circles = list(circles_of_member(me))
    stewarding = stewarded_circle_ids(request.user, organisation.pk)
    context = {
        "organisation": organisation,
        "me": me,
        "nodes": nodes,
        "show_archived": show_archived,
        "my_circles": my_circles,
        "my_circle_ids": {c.pk for c in my_circles} | stewarding,
        "stewarding": stewarding,
        "events": recent_events(organisation, limit=10),
        "nav": "circles",
    }
    return render(request, "governance/organisation.html", context)


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
            messages.success(request, "Settings saved.")
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
            messages.success(request, f"Membership class “{created.name}” added.")
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
            messages.success(request, f"Membership class “{membership_class.name}” saved.")
            return redirect(reverse("organisation_settings", kwargs={"org": organisation.slug}) + "#classes")
    context = {"organisation": organisation, "membership_class": membership_class, "form": form, "nav": "settings"}
    return render(request, "governance/membership_class_edit.html", context)


# Members -------------------------------------------------------------------------------------


@login_required
def member_list(request, org):
    organisation, me = get_organisation_for(request.user, org)
    circles = Circle.objects.active().filter(organisation=organisation, is_general=False).order_by("name")
    classes = MembershipClass.objects.filter(organisation=organisation)
    filters = MemberFilterForm(request.GET or None, circles=circles, classes=classes)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    status = chosen.get("status") or "active"
    members = member_directory(
        organisation,
        circle=next((c for c in circles if c.slug == chosen.get("circle")), None),
        membership_class=next((c for c in classes if str(c.pk) == chosen.get("membership_class")), None),
        status=None if status == "all" else status,
        search=(chosen.get("q") or "").strip(),
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "me": me,
        "filters": filters,
        "filtered": any(chosen.get(k) for k in ("q", "circle", "membership_class")) or status != "active",
        "page": page,
        "nav": "members",
    }
    return render(request, "governance/members.html", context)


@login_required
def member_profile(request, org, pk):
    organisation, me = get_organisation_for(request.user, org)
    member = member_with_load(organisation, pk)
    roles = RoleAssignment.objects.current().filter(member=member).select_related("role__circle")
    stays = CircleMembership.objects.filter(member=member).select_related(
        "circle", "added_by__user", "removed_by__user"
    )
    context = {
        "organisation": organisation,
        "me": me,
        "member": member,
        "roles": roles.order_by("role__circle__name", "role__name"),
        "stays": stays.order_by("-joined_at"),
        "update_form": MemberUpdateForm(member=member),
        "nav": "members",
    }
    return render(request, "governance/member.html", context)


@login_required
@require_POST
def member_update(request, org, pk):
    """Change a member's class or admin flag. The first POST shows what will change and asks to
    confirm; the confirmed POST makes the change."""
    organisation, me = get_organisation_for(request.user, org, action="governance.manage_members")
    member = member_with_load(organisation, pk)
    form = MemberUpdateForm(request.POST, member=member)
    changes = _member_changes(member, form.cleaned_data) if form.is_valid() else []
    if form.is_valid() and not changes:
        messages.info(request, "Nothing to change.")
        return redirect("member", org=organisation.slug, pk=member.pk)
    if changes and request.POST.get("confirmed") == "yes":
        try:
            services.member_update(member=member, by=me, **form.cleaned_data)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            forget_access_cache(request.user)
            messages.success(request, f"{member.user.display_name}’s membership is updated.")
            return redirect("member", org=organisation.slug, pk=member.pk)
    context = {"organisation": organisation, "member": member, "form": form, "changes": changes, "nav": "members"}
    return render(request, "governance/member_update_confirm.html", context)


def _member_changes(member, data) -> list[str]:
    changes = []
    if data["membership_class"].pk != member.membership_class_id:
        changes.append(f"Membership class: {member.membership_class.name} → {data['membership_class'].name}")
    if data["is_admin"] != member.is_admin:
        changes.append("Becomes an organisation admin" if data["is_admin"] else "Is no longer an organisation admin")
    return changes


@login_required
def member_remove(request, org, pk):
    organisation, me = get_organisation_for(request.user, org, action="governance.manage_members")
    member = member_with_load(organisation, pk)
    if not member.is_active:
        messages.info(request, f"{member.user.display_name} has already left the organisation.")
        return redirect("member", org=organisation.slug, pk=member.pk)
    form = MemberRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_remove(member=member, by=me, reason=form.cleaned_data["reason"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            forget_access_cache(request.user)
            messages.success(request, f"{member.user.display_name} has left {organisation.name}.")
            return redirect("member", org=organisation.slug, pk=member.pk)
    context = {"organisation": organisation, "member": member, "form": form, "nav": "members"}
    return render(request, "governance/member_remove.html", context)


# Invitations ---------------------------------------------------------------------------------


def _invitable_circles(user, organisation):
    """The circles this person may invite someone into: those whose roster they may manage."""
    circles = Circle.objects.active().filter(organisation=organisation, is_general=False)
    allowed = [c.pk for c in circles if rules.test_rule("circles.manage_roster", user, c)]
    return Circle.objects.filter(pk__in=allowed).order_by("name")


def may_handle_invitation(user, organisation, circle) -> bool:
    return rules.test_rule("governance.handle_invitation", user, Invitation(organisation=organisation, circle=circle))


@login_required
def invitation_list(request, org):
    organisation, me = get_organisation_for(request.user, org, action="governance.invite_members")
    circles = _invitable_circles(request.user, organisation)
    form = InvitationForm(request.POST or None, organisation=organisation, circles=circles, admin=me.is_admin)
    if request.method == "POST" and form.is_valid():
        if not may_handle_invitation(request.user, organisation, form.cleaned_data["circle"]):
            form.add_error("circle", "Choose one of your circles: stewards invite people into a circle they steward.")
        else:
            try:
                invitation, token = services.invitation_create(organisation=organisation, by=me, **form.cleaned_data)
            except DomainError as e:
                add_domain_error(form, e)
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                if settings.DEBUG:
                    link = request.build_absolute_uri(reverse("invitation_accept", kwargs={"token": token}))
                    messages.info(request, f"Development mode — the invitation link is {link}")
                return redirect("invitations", org=organisation.slug)
    invitations = list(_visible_invitations(request.user, organisation)[:100])
    for invitation in invitations:
        invitation.may_revoke = may_handle_invitation(request.user, organisation, invitation.circle)
    context = {
        "organisation": organisation,
        "me": me,
        "form": form,
        "invitations": invitations,
        "invitation_days": settings.INVITATION_DAYS,
        "nav": "invitations",
    }
    return render(request, "governance/invitations.html", context)


def _visible_invitations(user, organisation):
    """Admins see every invitation; a steward those they sent or into the circles they steward."""
    return (
        invitations_visible_to(user)
        .filter(organisation=organisation)
        .select_related("circle", "membership_class", "accepted_by")
    )


@login_required
@require_POST
def invitation_revoke(request, org, pk):
    organisation, me = get_organisation_for(request.user, org, action="governance.invite_members")
    invitation = get_object_or_404(_visible_invitations(request.user, organisation), pk=pk)
    if not may_handle_invitation(request.user, organisation, invitation.circle):
        raise PermissionDenied("Only an admin or the circle's steward can revoke this invitation.")
    try:
        services.invitation_revoke(invitation=invitation, by=me)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} is revoked; its link no longer works.")
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
            messages.success(request, f"Welcome to {member.organisation.name}!")
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


@never_cache
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
    from governance.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False
