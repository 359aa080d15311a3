"""The pages that show an organisation's people together with its circles and roles: the organisation
home with its circle tree, the member directory, a member's page, a member leaving, and the
invitations (into a circle, or not). Each parses, fetches and checks, calls one service, and renders."""

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from circles.models import Circle, CircleMembership
from circles.queries import circle_tree, circles_of_member, flatten
from governance import response_cache, services
from governance.errors import DomainError
from governance.forms import InvitationForm, MemberFilterForm, MemberRemoveForm, MemberUpdateForm, add_domain_error
from governance.inbox import inbox_for_request
from governance.models import MembershipClass
from governance.queries import get_organisation_for, organisation_invitations_visible_to, recent_events
from governance.rules import forget_access_cache, stewarded_circle_ids
from governance.views import may_handle_invitation
from roles.models import RoleAssignment

from .queries import member_directory, member_with_load

# The organisation home -------------------------------------------------------------------------

HOME_INBOX_SIZE = 8  # the home page shows the most pressing; the inbox page has them all


@login_required
def organisation_home(request, org):
    organisation, me = get_organisation_for(request.user, org)
    show_archived = me.is_admin and request.GET.get("archived") == "1"
    # The tree is every member's alike (which circles are theirs is marked by the template). Its
    # nodes are read only when the template's shared part misses; the page's counts need the size.
    nodes = SimpleLazyObject(
        lambda: response_cache.remember(
            "circle-tree",
            organisation.pk,
            (show_archived,),
            lambda: flatten(circle_tree(organisation, include_archived=show_archived)),
        )
    )
    node_count = response_cache.remember("circle-tree-size", organisation.pk, (show_archived,), lambda: len(nodes))
    my_circles = list(circles_of_member(me))
    stewarding = stewarded_circle_ids(request.user, organisation.pk)
    inbox = inbox_for_request(request, me)
    context = {
        "organisation": organisation,
        "me": me,
        "nodes": nodes,
        "node_count": node_count,
        "show_archived": show_archived,
        "my_circles": my_circles,
        "my_circle_ids": {c.pk for c in my_circles} | stewarding,
        "stewarding": stewarding,
        "events": recent_events(organisation, limit=40),
        "events_limit": 10,  # lines, once repeated events are grouped
        "inbox": inbox,
        "inbox_entries": inbox.entries[:HOME_INBOX_SIZE],
        "now": timezone.now(),
        "nav": "circles",
    }
    return render(request, "governance/organisation.html", context)


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
def member_remove(request, org, pk):
    organisation, me = get_organisation_for(request.user, org, action="governance.manage_members")
    member = member_with_load(organisation, pk)
    if not member.is_active:
        messages.info(request, _("%(name)s has already left the organisation.") % {"name": member.user.display_name})
        return redirect("member", org=organisation.slug, pk=member.pk)
    form = MemberRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_remove(member=member, by=me, reason=form.cleaned_data["reason"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            forget_access_cache(request.user)
            messages.success(
                request,
                _("%(name)s has left %(organisation)s.")
                % {"name": member.user.display_name, "organisation": organisation.name},
            )
            return redirect("member", org=organisation.slug, pk=member.pk)
    context = {"organisation": organisation, "member": member, "form": form, "nav": "members"}
    return render(request, "governance/member_remove.html", context)


def _invitable_circles(user, organisation):
    """The circles this person may invite someone into: those whose roster they may manage."""
    circles = Circle.objects.active().filter(organisation=organisation, is_general=False)
    allowed = [c.pk for c in circles if rules.test_rule("circles.manage_roster", user, c)]
    return Circle.objects.filter(pk__in=allowed).order_by("name")


@login_required
def invitation_list(request, org):
    organisation, me = get_organisation_for(request.user, org, action="governance.invite_members")
    circles = _invitable_circles(request.user, organisation)
    form = InvitationForm(request.POST or None, organisation=organisation, circles=circles, admin=me.is_admin)
    if request.method == "POST" and form.is_valid():
        if not may_handle_invitation(request.user, organisation, form.cleaned_data["circle"]):
            form.add_error(
                "circle", _("Choose one of your circles: stewards invite people into a circle they steward.")
            )
        else:
            try:
                invitation, token = services.invitation_create(organisation=organisation, by=me, **form.cleaned_data)
            except DomainError as e:
                add_domain_error(form, e)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                if settings.DEBUG:
                    link = request.build_absolute_uri(reverse("invitation_accept", kwargs={"token": token}))
                    messages.info(request, _("Development mode — the invitation link is %(link)s") % {"link": link})
                return redirect("invitations", org=organisation.slug)
    invitations = list(organisation_invitations_visible_to(request.user, organisation)[:100])
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
