"""Election pages: thin views that fetch-and-check, call one service, and render or redirect."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from governance.errors import DomainError
from governance.exports import csv_writer
from governance.forms import add_domain_error
from governance.rules import member_for
from roles.models import Counting, Election, ElectionMethod
from roles.queries import get_role_for

from . import queries, services
from .councils import role_council_set
from .forms import (
    BallotForm,
    CancelForm,
    CandidacyForm,
    CouncilForm,
    ElectionForm,
    NominationForm,
    ProposeForm,
    RankedBallotForm,
)


def ballot_form(data=None, *, election: Election, candidacies):
    """The ballot of this election: crosses (plurality) or ranks."""
    form_class = RankedBallotForm if election.counting == Counting.RANKED else BallotForm
    return form_class(data, candidacies=candidacies, seats=election.seats)


def _election_page(election: Election):
    return redirect("election", org=election.organisation.slug, pk=election.pk)


@login_required
def election_new(request, org, pk):
    role = get_role_for(request.user, pk, action="roles.start_election", organisation_slug=org)
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
            messages.success(request, gettext("The election is open and the circle has been told."))
            return _election_page(election)
    return render(
        request,
        "elections/election_form.html",
        {"organisation": organisation, "circle": role.circle, "role": role, "form": form, "nav": "roles"},
    )


@login_required
def election_detail(request, org, pk):
    election = queries.get_election_for(request.user, pk, organisation_slug=org)
    return render(request, "elections/election.html", _election_context(request, election))


def _election_context(request, election: Election, **forms) -> dict:
    user, role = request.user, election.role
    member = member_for(user, election.organisation_id)
    nominees = queries.nominees(election) if election.method == ElectionMethod.SOCIOCRATIC else []
    candidacies = list(queries.candidacies(election)) if election.method == ElectionMethod.BALLOT else []
    voter = queries.my_voter(election, member)
    # The forms of a phase whose deadline has passed are not offered, even before the sweep moves on.
    open_now = election.is_active and not election.phase_deadline_passed()
    can_nominate = open_now and rules.test_rule("elections.nominate", user, election)
    can_propose = rules.test_rule("elections.propose_candidate", user, election)
    can_stand = open_now and rules.test_rule("elections.stand", user, election)
    results = queries.published_results(election)
    return {
        "count_rounds": queries.count_rounds(results),
        "decided": queries.why_decided(election, results),
        "note": queries.shown_note(results),
        "earlier_rounds": queries.earlier_rounds(election),
        "state_label": queries.state_in_sentence(election),
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
        "my_nomination": next((n for n in nominees if member and n["member"].pk == member.pk), None),
        "can_nominate": can_nominate,
        "can_propose": can_propose,
        "can_stand": can_stand,
        "can_cancel": rules.test_rule("elections.offer_cancel", user, election),
        "nomination_form": forms.get("nomination_form")
        or (NominationForm(circle=role.circle) if can_nominate else None),
        "propose_form": forms.get("propose_form")
        or (
            ProposeForm(
                nominee_ids=[n["member"].pk for n in nominees if n["answer"]],
                initial={"round_days": election.organisation.consent_round_days},
            )
            if can_propose and nominees
            else None
        ),
        "candidacy_form": forms.get("candidacy_form") or (CandidacyForm() if can_stand else None),
        "ballot_form": forms.get("ballot_form")
        or (
            ballot_form(election=election, candidacies=candidacies)
            if voter and not voter.has_voted and election.state == Election.State.VOTING and open_now
            else None
        ),
        "cancel_form": CancelForm(),
        "council_form": CouncilForm(role=role) if rules.test_rule("elections.seat_council", user, election) else None,
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
    return render(request, "elections/election.html", _election_context(request, election, **{form_name: form}))


@login_required
@require_POST
def nomination_add(request, org, pk):
    return _election_form_post(
        request,
        org,
        pk,
        action="elections.nominate",
        form_class=NominationForm,
        form_name="nomination_form",
        form_kwargs=lambda e: {"circle": e.role.circle},
        call=lambda e, m, data: services.nomination_add(election=e, by=m, **data),
        success=gettext_lazy("Your nomination is recorded, with your reason."),
    )


@login_required
@require_POST
def election_propose(request, org, pk):
    def nominee_ids(election):
        return [n["member"].pk for n in queries.nominees(election) if n["answer"]]

    return _election_form_post(
        request,
        org,
        pk,
        action="elections.propose_candidate",
        form_class=ProposeForm,
        form_name="propose_form",
        form_kwargs=lambda e: {"nominee_ids": nominee_ids(e)},
        call=lambda e, m, data: services.election_propose(election=e, by=m, **data),
        success=gettext_lazy("The consent round is open: the circle is asked whether it consents to your candidate."),
    )


@login_required
@require_POST
def candidacy_add(request, org, pk):
    return _election_form_post(
        request,
        org,
        pk,
        action="elections.stand",
        form_class=CandidacyForm,
        form_name="candidacy_form",
        call=lambda e, m, data: services.candidacy_add(election=e, member=m, **data),
        success=gettext_lazy("You are standing in this election; your statement is published."),
    )


@login_required
@require_POST
def ballot_cast(request, org, pk):
    def ballot_kwargs(election):
        return {"election": election, "candidacies": list(queries.candidacies(election))}

    return _election_form_post(
        request,
        org,
        pk,
        action="elections.vote",
        form_class=ballot_form,
        form_name="ballot_form",
        form_kwargs=ballot_kwargs,
        call=lambda e, m, data: services.ballot_cast(election=e, member=m, choices=data["choices"]),
        success=gettext_lazy("Your ballot is cast. It is secret: nobody, admins included, can see what you chose."),
    )


@login_required
@require_POST
def nomination_answer(request, org, pk):
    """The nominee accepts ("yes") or declines ("no") to stand."""
    election = queries.get_election_for(request.user, pk, action="elections.answer_nomination", organisation_slug=org)
    accepted = request.POST.get("accepted") == "yes"
    try:
        services.nomination_answer(
            election=election, nominee=member_for(request.user, election.organisation_id), accepted=accepted
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            gettext("You accept to stand; the facilitator may now propose you.")
            if accepted
            else gettext("You decline the nomination; you will not be proposed."),
        )
    return _election_page(election)


@login_required
@require_POST
def election_council(request, org, pk):
    election = queries.get_election_for(request.user, pk, action="elections.seat_council", organisation_slug=org)
    form = CouncilForm(request.POST, role=election.role)
    if not form.is_valid():
        messages.error(request, gettext("Choose one of the circles offered."))
        return _election_page(election)
    try:
        role_council_set(
            role=election.role,
            council=form.cleaned_data["council"],
            by=member_for(request.user, election.organisation_id),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("Saved. The council's seats follow the role's terms."))
    return _election_page(election)


@login_required
@require_POST
def election_cancel(request, org, pk):
    election = queries.get_election_for(request.user, pk, action="elections.cancel_election", organisation_slug=org)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.election_cancel(
            election=election, by=member_for(request.user, election.organisation_id), reason=reason
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("The election is cancelled."))
    return _election_page(election)


@login_required
def election_results_csv(request, org, pk):
    """The count as a spreadsheet, after the close, as the page and the API publish it: candidates
    and their weights, and the anonymous ballots where no weight singles out a voter; never a voter."""
    election = queries.get_election_for(request.user, pk, organisation_slug=org)
    if election.state != Election.State.CLOSED:
        messages.error(request, gettext("Results are published when the election closes."))
        return _election_page(election)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="election-{election.pk}-results.csv"'
    # A data export for spreadsheets and recounts: its headers, words and numbers stay English
    # (dot decimals) whatever the reader's language, so that scripts read every election's alike.
    with translation.override("en"):
        _write_results(csv_writer(response), election)
    return response


def _write_results(writer, election: Election) -> None:
    results = queries.published_results(election)
    published = results.get("ballots_published", False)
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
        _write_rounds(writer, queries.count_rounds(results))
        return
    writer.writerow(["weight", "choices"])
    names = {row["candidacy"]: row["name"] for row in results.get("counts", [])}
    for ballot in queries.published_ballots(election.ballots.all()):
        writer.writerow([ballot.weight, "; ".join(names.get(c, "?") for c in ballot.choices)])
    _write_rounds(writer, queries.count_rounds(results))


def _write_rounds(writer, rounds: list[dict]) -> None:
    """A ranked count's rounds, after the ballots: each candidate's total, who was elected or
    eliminated, and where their votes went."""
    if not rounds:
        return
    writer.writerow([])
    writer.writerow(["round", "candidate", "total", "outcome", "transferred to", "value"])
    for r in rounds:
        for row in r["totals"]:
            writer.writerow([r["number"], row["name"], row["total"], row["outcome"], "", ""])
        for move in r["transfers"]:
            for target in move["to"]:
                writer.writerow([r["number"], move["from"], "", "", target["name"], target["value"]])
        writer.writerow([r["number"], "(exhausted)", r["exhausted"], "", "", ""])


UNPUBLISHED_BALLOTS = (
    "The ballots and each candidate's votes are not published: a voting weight held by only one of those "
    "who voted would show how they voted."
)
