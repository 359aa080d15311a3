"""Role and election pages: thin views that fetch-and-check, call one service, and render or redirect."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from circles.queries import get_circle_for
from governance.errors import DomainError
from governance.exports import csv_writer
from governance.forms import add_domain_error
from governance.queries import get_organisation_for
from governance.rules import forget_access_cache, member_for

from . import queries, services
from .forms import (
    AssignForm,
    BallotForm,
    CancelForm,
    CandidacyForm,
    DirectoryFilterForm,
    ElectionForm,
    EndForm,
    NominationForm,
    ProposeForm,
    RoleForm,
    TemplateForm,
)
from .models import Election, ElectionMethod, Role, RoleTemplate


def _role_page(role: Role):
    return redirect("role", org=role.circle.organisation.slug, pk=role.pk)


def _election_page(election: Election):
    return redirect("election", org=election.organisation.slug, pk=election.pk)


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
            messages.success(request, f"The {data['name']} template is saved. New circles start with it.")
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
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        try:
            role = services.role_create(circle=circle, by=member_for(request.user, circle.organisation_id), **data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"The role “{role.name}” is defined. Next: assign it or start an election.")
            return _role_page(role)
    return render(
        request,
        "roles/role_form.html",
        {"organisation": circle.organisation, "circle": circle, "form": form, "role": None, "nav": "roles"},
    )


@login_required
def role_edit(request, org, pk):
    role = queries.get_role_for(request.user, pk, action="roles.change_role", organisation_slug=org)
    form = RoleForm(request.POST or None, initial=RoleForm.initial_for(role))
    if request.method == "POST" and form.is_valid():
        try:
            services.role_update(
                role=role, by=member_for(request.user, role.circle.organisation_id), **form.changes_for(role)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"“{form.cleaned_data['name']}” is saved.")
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
    return {
        "organisation": role.circle.organisation,
        "circle": role.circle,
        "role": role,
        "row": row,
        "history": queries.role_history(role),
        "elections": queries.role_elections(role),
        "me": member_for(user, role.circle.organisation_id),
        "can_change": rules.test_rule("roles.change_role", user, role),
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
            messages.success(request, f"{member.user.display_name} now holds {role.name}.")
            return _role_page(role)
    return render(request, "roles/role.html", _role_context(request, role, assign_form=form), status=200)


@login_required
@require_POST
def role_archive(request, org, pk):
    role = queries.get_role_for(request.user, pk, action="roles.change_role", organisation_slug=org)
    by = member_for(request.user, role.circle.organisation_id)
    try:
        if role.is_archived:
            services.role_restore(role=role, by=by)
        else:
            services.role_archive(role=role, by=by)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{role.name}” is {'archived' if role.archived_at is None else 'restored'}.")
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
            messages.success(request, f"{assignment.member.user.display_name}'s term as {assignment.role.name} ended.")
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
        end = timezone.localtime(renewed.planned_end_at, assignment.role.circle.organisation.tzinfo)
        messages.success(
            request, f"Renewed: {assignment.member.user.display_name}'s next term runs until {end:%-d %B %Y}."
        )
    return _role_page(assignment.role)


# Elections ------------------------------------------------------------------------------------------


@login_required
def election_new(request, org, pk):
    role = queries.get_role_for(request.user, pk, action="roles.start_election", organisation_slug=org)
    organisation = role.circle.organisation
    form = ElectionForm(request.POST or None, organisation=organisation, initial={"method": role.election_method})
    if request.method == "POST" and form.is_valid():
        try:
            election = services.election_open(
                role=role, by=member_for(request.user, organisation.pk), **form.service_kwargs()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The election is open and the circle has been told.")
            return _election_page(election)
    return render(
        request,
        "roles/election_form.html",
        {"organisation": organisation, "circle": role.circle, "role": role, "form": form, "nav": "roles"},
    )


@login_required
def election_detail(request, org, pk):
    election = queries.get_election_for(request.user, pk, organisation_slug=org)
    return render(request, "roles/election.html", _election_context(request, election))


def _election_context(request, election: Election, **forms) -> dict:
    user, role = request.user, election.role
    member = member_for(user, election.organisation_id)
    nominees = queries.nominees(election) if election.method == ElectionMethod.SOCIOCRATIC else []
    candidacies = list(queries.candidacies(election)) if election.method == ElectionMethod.BALLOT else []
    voter = queries.my_voter(election, member)
    # The forms of a phase whose deadline has passed are not offered, even before the sweep moves on.
    open_now = election.is_active and not election.phase_deadline_passed()
    can_nominate = open_now and rules.test_rule("roles.nominate", user, election)
    can_propose = rules.test_rule("roles.propose_candidate", user, election)
    can_stand = open_now and rules.test_rule("roles.stand", user, election)
    results = queries.published_results(election)
    return {
        "organisation": election.organisation,
        "circle": role.circle,
        "role": role,
        "election": election,
        "member": member,
        "nominees": nominees,
        "candidacies": candidacies,
        "my_candidacy": next((c for c in candidacies if member and c.member_id == member.pk), None),
        "voter": voter,
        "turnout": queries.turnout(election) if election.method == ElectionMethod.BALLOT else None,
        "results": results,
        "elected": election.assignments.select_related("member__user").order_by("started_at", "id")
        if election.state == Election.State.CLOSED
        else [],
        "can_nominate": can_nominate,
        "can_propose": can_propose,
        "can_stand": can_stand,
        "can_cancel": rules.test_rule("roles.offer_cancel", user, election),
        "nomination_form": forms.get("nomination_form")
        or (NominationForm(circle=role.circle) if can_nominate else None),
        "propose_form": forms.get("propose_form")
        or (
            ProposeForm(
                nominee_ids=[n["member"].pk for n in nominees],
                initial={"round_days": election.organisation.consent_round_days},
            )
            if can_propose and nominees
            else None
        ),
        "candidacy_form": forms.get("candidacy_form") or (CandidacyForm() if can_stand else None),
        "ballot_form": forms.get("ballot_form")
        or (
            BallotForm(candidacies=candidacies, seats=election.seats)
            if voter and not voter.has_voted and election.state == Election.State.VOTING and open_now
            else None
        ),
        "cancel_form": CancelForm(),
        "now": timezone.now(),
        "nav": "roles",
    }


def _election_form_post(request, org, pk, *, action, form_class, form_name, call, success, form_kwargs=None):
    election = queries.get_election_for(request.user, pk, action=action, organisation_slug=org)
    member = member_for(request.user, election.organisation_id)
    form = form_class(request.POST, **(form_kwargs(election) if form_kwargs else {}))
    if form.is_valid():
        try:
            call(election, member, form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, success)
            return _election_page(election)
    return render(request, "roles/election.html", _election_context(request, election, **{form_name: form}))


@login_required
@require_POST
def nomination_add(request, org, pk):
    return _election_form_post(
        request,
        org,
        pk,
        action="roles.nominate",
        form_class=NominationForm,
        form_name="nomination_form",
        form_kwargs=lambda e: {"circle": e.role.circle},
        call=lambda e, m, data: services.nomination_add(election=e, by=m, **data),
        success="Your nomination is recorded, with your reason.",
    )


@login_required
@require_POST
def election_propose(request, org, pk):
    def nominee_ids(election):
        return [n["member"].pk for n in queries.nominees(election)]

    return _election_form_post(
        request,
        org,
        pk,
        action="roles.propose_candidate",
        form_class=ProposeForm,
        form_name="propose_form",
        form_kwargs=lambda e: {"nominee_ids": nominee_ids(e)},
        call=lambda e, m, data: services.election_propose(election=e, by=m, **data),
        success="The consent round is open: the circle is asked whether it consents to your candidate.",
    )


@login_required
@require_POST
def candidacy_add(request, org, pk):
    return _election_form_post(
        request,
        org,
        pk,
        action="roles.stand",
        form_class=CandidacyForm,
        form_name="candidacy_form",
        call=lambda e, m, data: services.candidacy_add(election=e, member=m, **data),
        success="You are standing in this election; your statement is published.",
    )


@login_required
@require_POST
def ballot_cast(request, org, pk):
    def ballot_kwargs(election):
        return {"candidacies": list(queries.candidacies(election)), "seats": election.seats}

    return _election_form_post(
        request,
        org,
        pk,
        action="roles.vote",
        form_class=BallotForm,
        form_name="ballot_form",
        form_kwargs=ballot_kwargs,
        call=lambda e, m, data: services.ballot_cast(election=e, member=m, **data),
        success="Your ballot is cast. It is secret: nobody, admins included, can see what you chose.",
    )


@login_required
@require_POST
def election_cancel(request, org, pk):
    election = queries.get_election_for(request.user, pk, action="roles.cancel_election", organisation_slug=org)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.election_cancel(
            election=election, by=member_for(request.user, election.organisation_id), reason=reason
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The election is cancelled.")
    return _election_page(election)


@login_required
def election_results_csv(request, org, pk):
    """The count as a spreadsheet, after the close, as the page and the API publish it: candidates
    and their weights, and the anonymous ballots where no weight singles out a voter; never a voter."""
    election = queries.get_election_for(request.user, pk, organisation_slug=org)
    if election.state != Election.State.CLOSED:
        messages.error(request, "Results are published when the election closes.")
        return _election_page(election)
    results = queries.published_results(election)
    published = results.get("ballots_published", False)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="election-{election.pk}-results.csv"'
    writer = csv_writer(response)
    elected = set(results.get("elected", []))
    tied = set((results.get("tie") or {}).get("members", []))
    writer.writerow(["candidate", *(["votes"] if published else []), "weight", "elected", "tied"])
    for row in results.get("counts", []):
        votes = [row["votes"]] if published else []
        writer.writerow([row["name"], *votes, row["weight"], row["member"] in elected, row["member"] in tied])
    writer.writerow([])
    if not published:
        if results.get("counts"):
            writer.writerow([UNPUBLISHED_BALLOTS])
        return response
    writer.writerow(["weight", "choices"])
    names = {row["candidacy"]: row["name"] for row in results.get("counts", [])}
    for ballot in queries.published_ballots(election.ballots.all()):
        writer.writerow([ballot.weight, "; ".join(names.get(c, "?") for c in ballot.choices)])
    return response


UNPUBLISHED_BALLOTS = (
    "The ballots and each candidate's votes are not published: a voting weight held by only one of those "
    "who voted would show how they voted."
)
