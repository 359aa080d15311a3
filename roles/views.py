"""Role pages: thin views that fetch-and-check, call one service, and render or redirect. The
circle's steward page is here too (naming a steward is a roles service)."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circles.queries import get_circle_for
from governance.errors import DomainError
from governance.forms import add_domain_error
from governance.queries import get_organisation_for
from governance.rules import forget_access_cache, member_for
from governance.services.provenance import provenance_latest

from . import queries, services
from .forms import AssignForm, DirectoryFilterForm, EndForm, OverrideReasonField, RoleForm, StewardForm, TemplateForm
from .models import Role, RoleTemplate


def _role_page(role: Role):
    return redirect("role", org=role.circle.organisation.slug, pk=role.pk)


def _forget(user):
    forget_access_cache(user)
    user.__dict__.pop("_facilitated", None)


# Directory, my roles, load --------------------------------------------------------------------------


@login_required
def role_directory(request, org):
    organisation, _ = get_organisation_for(request.user, org)
    form = DirectoryFilterForm(request.GET or None, organisation=organisation)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = queries.role_directory(
        organisation,
        circle=filters.get("circle"),
        vacancies=filters.get("vacancies", False),
        ending_soon=filters.get("ending_soon", False),
    )
    circles = {}
    for row in rows:
        circles.setdefault(row.role.circle, []).append(row)
    return render(
        request,
        "roles/directory.html",
        {
            "organisation": organisation,
            "form": form,
            "circles": list(circles.items()),
            "count": len(rows),
            "filtered": any(filters.values()),
            "now": timezone.now(),
            "nav": "roles",
        },
    )


@login_required
def my_roles(request, org):
    organisation, member = get_organisation_for(request.user, org)
    return render(
        request,
        "roles/my_roles.html",
        {
            "organisation": organisation,
            "terms": list(queries.my_terms(member)),
            "past": queries.my_past_terms(member),
            "elections": queries.my_open_elections(member),
            "now": timezone.now(),
            "nav": "my-roles",
        },
    )


@login_required
def role_load(request, org):
    organisation, _ = get_organisation_for(request.user, org)
    rows = queries.role_load(organisation)
    return render(
        request,
        "roles/load.html",
        {
            "organisation": organisation,
            "rows": rows,
            "flagged": sum(r.flagged for r in rows),
            "nav": "roles",
        },
    )


@login_required
def role_template(request, org):
    """The organisation's template for the core roles every new circle gets."""
    organisation, me = get_organisation_for(request.user, org, action="roles.change_template")
    kind = request.POST.get("kind") or request.GET.get("kind") or Role.Kind.STEWARD
    if kind not in services.CORE_KINDS:
        kind = Role.Kind.STEWARD
    current = services.core_template(organisation, kind)
    initial = {**current, "accountabilities": "\n".join(current.get("accountabilities") or [])}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        try:
            services.role_template_save(organisation=organisation, by=me, kind=kind, **data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("The %(name)s template is saved. New circles start with it.") % {"name": data["name"]}
            )
            return redirect(f"{request.path}?kind={kind}")
    return render(
        request,
        "roles/template.html",
        {
            "organisation": organisation,
            "form": form,
            "kind": kind,
            "kinds": [(k, services.core_template(organisation, k)["name"]) for k in services.CORE_KINDS],
            "customised": set(RoleTemplate.objects.filter(organisation=organisation).values_list("kind", flat=True)),
            "nav": "settings",
        },
    )


# Roles ----------------------------------------------------------------------------------------------


@login_required
def role_new(request, org, circle):
    circle = get_circle_for(request.user, org, circle, action="roles.add_role")
    form = RoleForm(request.POST or None)
    by_consent = _override_field(form, circle.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        try:
            role = services.role_create(
                circle=circle,
                by=member_for(request.user, circle.organisation_id),
                override_reason=form.cleaned_data.get("override_reason", "") if by_consent else "",
                **data,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("The role “%(name)s” is defined. Next: assign it or start an election.") % {"name": role.name},
            )
            return _role_page(role)
    return render(
        request,
        "roles/role_form.html",
        {"organisation": circle.organisation, "circle": circle, "form": form, "role": None, "nav": "roles"},
    )


def _override_field(form, organisation) -> bool:
    """Under "structure changes by consent" a direct edit is an admin's override: it asks why."""
    if not organisation.structure_by_consent:
        return False
    form.fields["override_reason"] = OverrideReasonField()
    return True


@login_required
def role_edit(request, org, pk):
    role = queries.get_role_for(request.user, pk, action="roles.change_role", organisation_slug=org)
    form = RoleForm(request.POST or None, initial=RoleForm.initial_for(role))
    by_consent = _override_field(form, role.circle.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_update(
                role=role,
                by=member_for(request.user, role.circle.organisation_id),
                override_reason=form.cleaned_data.get("override_reason", "") if by_consent else "",
                **form.changes_for(role),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": form.cleaned_data["name"]})
            return _role_page(role)
    return render(
        request,
        "roles/role_form.html",
        {"organisation": role.circle.organisation, "circle": role.circle, "form": form, "role": role, "nav": "roles"},
    )


@login_required
def role_detail(request, org, pk):
    role = queries.get_role_for(request.user, pk, organisation_slug=org)
    return render(request, "roles/role.html", _role_context(request, role))


def _role_context(request, role: Role, **forms) -> dict:
    row = queries.role_rows(queries.with_terms(Role.objects.filter(pk=role.pk)))[0]
    user = request.user
    can_assign = rules.test_rule("roles.assign_role", user, role)
    organisation = role.circle.organisation
    me = member_for(user, role.circle.organisation_id)
    can_change = rules.test_rule("roles.change_role", user, role)
    # Under "structure changes by consent" a role changes by proposal; admins keep a direct edit,
    # logged as an override with its reason.
    by_consent = organisation.structure_by_consent
    return {
        "organisation": role.circle.organisation,
        "circle": role.circle,
        "role": role,
        "row": row,
        "history": queries.role_history(role),
        "provenance": provenance_latest([role]).get(("role", role.pk)),
        "elections": queries.role_elections(role),
        "me": member_for(user, role.circle.organisation_id),
        "can_change": can_change,
        "by_consent": by_consent,
        "can_edit_directly": can_change and (not by_consent or bool(me and me.is_admin)),
        "can_propose": by_consent and rules.test_rule("proposals.add_proposal", user, role.circle),
        "can_assign": can_assign,
        "can_start_election": rules.test_rule("roles.start_election", user, role),
        "assign_form": forms.get("assign_form") or (AssignForm(role=role) if can_assign else None),
        "now": timezone.now(),
        "nav": "roles",
    }


@login_required
@require_POST
def role_assign(request, org, pk):
    role = queries.get_role_for(request.user, pk, action="roles.assign_role", organisation_slug=org)
    form = AssignForm(request.POST, role=role)
    if form.is_valid():
        member = form.cleaned_data["member"]
        by = member_for(request.user, role.circle.organisation_id)
        try:
            if role.kind == Role.Kind.STEWARD:
                services.steward_assign(circle=role.circle, member=member, by=by)
            else:
                services.role_assign(role=role, member=member, by=by, planned_end_at=form.cleaned_data["planned_end"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            _forget(request.user)
            messages.success(
                request, _("%(member)s now holds %(role)s.") % {"member": member.user.display_name, "role": role.name}
            )
            return _role_page(role)
    return render(request, "roles/role.html", _role_context(request, role, assign_form=form), status=200)


@login_required
@require_POST
def role_archive(request, org, pk):
    role = queries.get_role_for(request.user, pk, action="roles.change_role", organisation_slug=org)
    by = member_for(request.user, role.circle.organisation_id)
    reason = request.POST.get("override_reason", "")
    try:
        if role.is_archived:
            services.role_restore(role=role, by=by, override_reason=reason)
        else:
            services.role_archive(role=role, by=by, override_reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = _("“%(name)s” is archived.") if role.archived_at is None else _("“%(name)s” is restored.")
        messages.success(request, done % {"name": role.name})
    return _role_page(role)


# Terms ----------------------------------------------------------------------------------------------


@login_required
def assignment_end(request, org, pk):
    """GET asks why; POST ends the term (a holder resigning, or the steward ending it)."""
    assignment = queries.get_assignment_for(request.user, pk, action="roles.end_assignment", organisation_slug=org)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_end(
                assignment=assignment,
                by=member_for(request.user, assignment.role.circle.organisation_id),
                **form.cleaned_data,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            _forget(request.user)
            messages.success(
                request,
                _("%(member)s's term as %(role)s ended.")
                % {"member": assignment.member.user.display_name, "role": assignment.role.name},
            )
            return _role_page(assignment.role)
    return render(
        request,
        "roles/assignment_end.html",
        {
            "organisation": assignment.role.circle.organisation,
            "assignment": assignment,
            "role": assignment.role,
            "form": form,
            "is_holder": rules.test_rule("roles.end_assignment", request.user, assignment)
            and member_for(request.user, assignment.role.circle.organisation_id).pk == assignment.member_id,
            "nav": "roles",
        },
    )


@login_required
@require_POST
def assignment_renew(request, org, pk):
    assignment = queries.get_assignment_for(request.user, pk, action="roles.renew_assignment", organisation_slug=org)
    try:
        renewed = services.assignment_renew(
            assignment=assignment, by=member_for(request.user, assignment.role.circle.organisation_id)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Renewed: %(member)s's next term runs until %(date)s.")
            % {
                "member": assignment.member.user.display_name,
                "date": services.format_date(renewed.planned_end_at, assignment.role.circle.organisation),
            },
        )
    return _role_page(assignment.role)


# The circle's steward -----------------------------------------------------------------------------


@login_required
def steward_assign(request, org, circle):
    circle = get_circle_for(request.user, org, circle, action="circles.assign_steward")
    current = queries.stewards_by_circle([circle.pk]).get(circle.pk)
    form = StewardForm(request.POST or None, circle=circle, initial={"member": current})
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["member"]
        try:
            services.steward_assign(circle=circle, member=member, by=member_for(request.user, circle.organisation_id))
        except DomainError as e:
            add_domain_error(form, e)
        else:
            forget_access_cache(request.user)
            messages.success(
                request,
                _("%(member)s is now the steward of %(circle)s.")
                % {"member": member.user.display_name, "circle": circle.name},
            )
            return redirect("circle", org=org, circle=circle.slug)
    context = {
        "organisation": circle.organisation,
        "circle": circle,
        "current": current,
        "form": form,
        "nav": "circles",
    }
    return render(request, "circles/steward.html", context)
