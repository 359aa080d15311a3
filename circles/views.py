"""Circle pages: a circle, creating, editing (and moving), archiving, and its roster (naming its
steward is a roles page: roles.views.steward_assign).

Each view fetches and checks with get_circle_for (404 for outsiders, 403 for members who may not
act), calls one service and shows its refusal on the form. The roster's add and remove forms also
work over htmx, answering with the roster panel so that it updates in place."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance import response_cache
from governance.errors import DomainError
from governance.forms import add_domain_error, override_field_add, override_reason_of, structure_edit_mode
from governance.models import Member
from governance.queries import get_organisation_for, recent_events
from governance.rules import member_for
from governance.services import provenance_latest

from . import services
from .forms import ArchiveForm, CircleForm, RosterAddForm, RosterRemoveForm
from .models import Circle, CircleMembership
from .queries import (
    get_circle_for,
    governance_record,
    roster,
    roster_history,
    roster_memberships,
    size_notice,
    stewards_by_circle,
    sub_circles,
)


def _ancestors(circle: Circle) -> list[Circle]:
    """The chain from the general circle down to the circle's parent, for breadcrumbs: one query
    for the organisation's (small) set of circles, however deep the tree."""
    if circle.parent_id is None:
        return []
    by_pk = {
        c.pk: c for c in Circle.objects.filter(organisation_id=circle.organisation_id).only("name", "slug", "parent")
    }
    chain, pk = [], circle.parent_id
    while pk in by_pk and len(chain) < len(by_pk):
        chain.append(by_pk[pk])
        pk = by_pk[pk].parent_id
    return chain[::-1]


def _circle_page_shared(circle: Circle, found: dict) -> dict:
    """What the circle's page shows every member alike, outside its cached parts: the roster's size,
    the steward, the breadcrumbs and the latest change. Kept in the response cache under the
    organisation's version (a roster or steward change, a move or an edit records an event). The
    roster and the sub-circles read for it are left in `found`, for the parts rendered next."""
    found["roster"] = list(roster(circle))
    found["sub_circles"], steward = _sub_circles_and_steward(circle)
    return {
        "roster_size": len(found["roster"]),
        "steward": steward,
        "sub_circle_count": len(found["sub_circles"]),
        "ancestors": _ancestors(circle),
        "provenances": provenance_latest([circle]),
    }


def _sub_circles_and_steward(circle: Circle) -> tuple[list, Member | None]:
    """The sub-circles, each with its steward, and the circle's own steward: one query for them all."""
    children = list(sub_circles(circle))
    stewards = stewards_by_circle([circle.pk, *(c.pk for c in children)])
    return [(child, stewards.get(child.pk)) for child in children], stewards.get(circle.pk)


@login_required
def circle_detail(request, org, circle):
    circle = get_circle_for(request.user, org, circle)
    organisation = circle.organisation
    found = {}  # what computing the shared figures read, if they were not in the cache
    shared = response_cache.remember(
        "circle-page", organisation.pk, (circle.pk,), lambda: _circle_page_shared(circle, found)
    )
    user = request.user
    context = {
        "organisation": organisation,
        "me": member_for(user, organisation.pk),
        "circle": circle,
        **shared,
        "size_notice": size_notice(circle, shared["roster_size"]),
        # Read only where the page's shared parts are not in the cache.
        "roster": SimpleLazyObject(lambda: found["roster"] if "roster" in found else list(roster(circle))),
        "sub_circles": SimpleLazyObject(
            lambda: found["sub_circles"] if "sub_circles" in found else _sub_circles_and_steward(circle)[0]
        ),
        "events": recent_events(organisation, circle=circle, limit=40),
        "events_limit": 10,  # lines, once repeated events are grouped
        "can_change": rules.test_rule("circles.change_circle", user, circle),
        "can_manage_roster": rules.test_rule("circles.manage_roster", user, circle),
        "can_assign_steward": rules.test_rule("circles.assign_steward", user, circle),
        "can_add_circle": rules.test_rule("circles.add_circle", user, organisation),
        **_proposing(request, circle),
        "nav": "circles",
    }
    return render(request, "circles/circle.html", context)


def _proposing(request, circle: Circle) -> dict:
    """What the page offers under "structure changes by consent": `edit_mode` (direct, propose or
    override: governance.forms.structure_edit_mode) and the circle whose proposal would decide a
    change to this one: the circle itself for a member of its roster, else the general circle."""
    organisation = circle.organisation
    mode = structure_edit_mode(organisation, member_for(request.user, organisation.pk))
    if mode == "direct" or circle.is_archived:
        return {"edit_mode": mode, "propose_in": None, "propose_move_in": None}
    general = Circle.objects.filter(organisation=organisation, is_general=True).first()
    propose_in = circle if rules.test_rule("proposals.add_proposal", request.user, circle) else general
    # A move reaches the new parent too, which is rarely inside the circle's own domain: the general
    # circle decides it.
    return {"edit_mode": mode, "propose_in": propose_in, "propose_move_in": general}


def _service_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "override_reason"}


@login_required
def circle_record(request, org, circle):
    """The circle's governance record: its structure as it stands, then every change that made it,
    newest first (governance.Provenance), a page at a time."""
    circle = get_circle_for(request.user, org, circle)
    organisation = circle.organisation
    page = Paginator(governance_record(circle), RECORD_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "circle": circle,
        "ancestors": _ancestors(circle),
        "sub_circles": list(sub_circles(circle)),
        "provenances": provenance_latest([circle]),
        "page": page,
        "nav": "circles",
    }
    return render(request, "circles/circle_record.html", context)


RECORD_PAGE_SIZE = 25


@login_required
def circle_new(request, org):
    organisation, me = get_organisation_for(request.user, org, action="circles.add_circle")
    parent = Circle.objects.active().filter(organisation=organisation, slug=request.GET.get("parent", "")).first()
    parent = parent or Circle.objects.filter(organisation=organisation, is_general=True).first()
    initial = {"parent": str(parent.pk) if parent else ""}
    form = CircleForm(request.POST or None, organisation=organisation, initial=initial)
    override_field_add(form, organisation)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.circle_create(
                organisation=organisation, by=me, override_reason=override_reason_of(form), **_service_data(form)
            )
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(
                request,
                _("The circle “%(name)s” is created. Next: give it a steward and a roster.") % {"name": created.name},
            )
            return redirect("circle", org=organisation.slug, circle=created.slug)
    context = {"organisation": organisation, "form": form, "circle": None, "nav": "circles"}
    return render(request, "circles/circle_form.html", context)


@login_required
def circle_edit(request, org, circle):
    circle = get_circle_for(request.user, org, circle, action="circles.change_circle")
    organisation = circle.organisation
    form = CircleForm(request.POST or None, organisation=organisation, circle=circle)
    override_field_add(form, organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.circle_update(
                circle=circle,
                by=member_for(request.user, organisation.pk),
                override_reason=override_reason_of(form),
                **_service_data(form),
            )
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": form.cleaned_data["name"]})
            return redirect("circle", org=organisation.slug, circle=circle.slug)
    context = {"organisation": organisation, "form": form, "circle": circle, "nav": "circles"}
    return render(request, "circles/circle_form.html", context)


@login_required
def circle_archive(request, org, circle):
    """GET asks for confirmation; POST archives."""
    circle = get_circle_for(request.user, org, circle, action="circles.change_circle")
    form = ArchiveForm(request.POST or None)
    override_field_add(form, circle.organisation)
    if request.method == "POST" and form.is_valid():
        by = member_for(request.user, circle.organisation_id)
        try:
            services.circle_archive(
                circle=circle, by=by, reason=form.cleaned_data["reason"], override_reason=override_reason_of(form)
            )
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(
                request, _("“%(name)s” is archived. Its roster and history stay readable.") % {"name": circle.name}
            )
            return redirect("circle", org=org, circle=circle.slug)
    context = {"organisation": circle.organisation, "circle": circle, "form": form, "nav": "circles"}
    return render(request, "circles/circle_archive.html", context)


@login_required
def circle_restore(request, org, circle):
    """GET asks for confirmation; POST restores."""
    circle = get_circle_for(request.user, org, circle, action="circles.change_circle")
    error = None
    if request.method == "POST":
        try:
            services.circle_restore(circle=circle, by=member_for(request.user, circle.organisation_id))
        except DomainError as e:
            error = e.message
        else:
            messages.success(request, _("“%(name)s” is active again.") % {"name": circle.name})
            return redirect("circle", org=org, circle=circle.slug)
    context = {"organisation": circle.organisation, "circle": circle, "error": error, "nav": "circles"}
    return render(request, "circles/circle_restore.html", context)


# The roster ----------------------------------------------------------------------------------


def _roster_response(request, circle, *, add_form=None, remove_error=None):
    """The roster page, or just its panel when htmx asks (the add and remove forms swap it in place)."""
    steward = stewards_by_circle([circle.pk]).get(circle.pk)
    context = {
        "organisation": circle.organisation,
        "circle": circle,
        "steward": steward,
        "memberships": roster_memberships(circle),
        "history": roster_history(circle),
        "add_form": add_form or RosterAddForm(circle=circle),
        "remove_error": remove_error or {},
        "nav": "circles",
    }
    template = "circles/_roster_panel.html" if request.htmx else "circles/roster.html"
    return render(request, template, context)


@login_required
def roster_manage(request, org, circle):
    circle = get_circle_for(request.user, org, circle, action="circles.manage_roster")
    return _roster_response(request, circle)


@login_required
@require_POST
def roster_add(request, org, circle):
    circle = get_circle_for(request.user, org, circle, action="circles.manage_roster")
    form = RosterAddForm(request.POST, circle=circle)
    if form.is_valid():
        member = form.cleaned_data["member"]
        try:
            services.roster_add(circle=circle, member=member, by=member_for(request.user, circle.organisation_id))
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(
                request,
                _("%(member)s is now on the roster of %(circle)s.")
                % {"member": member.user.display_name, "circle": circle.name},
            )
            if request.htmx:
                return _roster_response(request, circle)
            return redirect("roster", org=org, circle=circle.slug)
    return _roster_response(request, circle, add_form=form)


@login_required
@require_POST
def roster_remove(request, org, circle, pk):
    circle = get_circle_for(request.user, org, circle, action="circles.manage_roster")
    membership = get_object_or_404(CircleMembership.objects.select_related("member__user"), circle=circle, pk=pk)
    membership.circle = circle
    form = RosterRemoveForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        services.roster_remove(
            membership=membership, by=member_for(request.user, circle.organisation_id), reason=reason
        )
    except DomainError as e:
        if e.field != "reason":  # not about what was typed: the steward, or someone already gone
            messages.error(request, e.message)
            return _roster_response(request, circle)
        return _roster_response(
            request, circle, remove_error={"pk": membership.pk, "message": e.message, "reason": reason}
        )
    messages.success(
        request,
        _("%(member)s is off the roster of %(circle)s.")
        % {"member": membership.member.user.display_name, "circle": circle.name},
    )
    if request.htmx:
        return _roster_response(request, circle)
    return redirect("roster", org=org, circle=circle.slug)
