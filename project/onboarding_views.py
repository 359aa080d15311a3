"""Pages of starting an organisation, of bulk onboarding, and of sending an invitation again. Each
parses, fetches and checks, calls one service, and renders."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance import services
from governance.errors import DomainError
from governance.forms import add_domain_error
from governance.queries import get_organisation_for
from governance.rules import forget_access_cache
from governance.views import may_handle_invitation

from .onboarding import lines_from_text, onboarding_check, onboarding_send
from .onboarding_forms import BulkOnboardingForm, OrganisationStartForm
from .shapes import shape_choices, shape_promises
from .workflows import creation_refusal, organisation_start


@login_required
def organisation_new(request):
    refusal = creation_refusal(request.user)
    form = OrganisationStartForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            organisation = organisation_start(creator=request.user, **form.cleaned_data)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            forget_access_cache(request.user)
            messages.success(request, _("%(name)s is started, and you are its admin.") % {"name": organisation.name})
            return redirect("organisation", org=organisation.slug)
    shapes = [
        {"choice": choice, "summary": shape.summary, "promises": shape_promises(shape)}
        for choice, (_key, shape) in zip(form["shape"], shape_choices(), strict=True)
    ]
    context = {
        "form": form,
        "refusal": refusal,
        "shapes": shapes,
        "creators": settings.ORGANISATION_CREATORS,
    }
    status = 403 if refusal and request.method == "POST" else 200
    return render(request, "onboarding/organisation_new.html", context, status=status)


@login_required
def bulk_onboarding(request, org):
    organisation, me = get_organisation_for(request.user, org, action="governance.invite_members")
    form = BulkOnboardingForm(request.POST or None, request.FILES or None, organisation=organisation, admin=me.is_admin)
    lines, sent = None, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rows = lines_from_text(data["people"])
        options = {"default_class": data["membership_class"], "add_existing": data.get("add_existing", False)}
        try:
            if "send" in request.POST:
                sent = onboarding_send(organisation=organisation, by=me, rows=rows, message=data["message"], **options)
            else:
                lines = onboarding_check(organisation=organisation, by=me, rows=rows, **options)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            if sent is not None:
                done = [line for line in sent if line.status in ("invited", "added")]
                messages.success(
                    request,
                    _("%(invited)d invited, %(added)d added directly; %(left)d lines left out.")
                    % {
                        "invited": sum(line.status == "invited" for line in done),
                        "added": sum(line.status == "added" for line in done),
                        "left": len(sent) - len(done),
                    },
                )
                lines = sent
            # What was uploaded is kept as text, so that sending posts the very lines previewed.
            form.data = form.data.copy()
            form.data["people"] = data["people"]
    context = {
        "organisation": organisation,
        "me": me,
        "form": form,
        "lines": lines,
        "sent": sent is not None,
        "good": sum(1 for line in lines or [] if line.ok),
        "max_lines": settings.ONBOARDING_MAX_LINES,
        "nav": "invitations",
    }
    return render(request, "onboarding/bulk.html", context)


@login_required
@require_POST
def invitation_resend(request, org, pk):
    organisation, me = get_organisation_for(request.user, org, action="governance.invite_members")
    invitation = get_object_or_404(organisation.invitations.select_related("circle"), pk=pk)
    if not may_handle_invitation(request.user, organisation, invitation.circle):
        messages.error(request, _("Only an admin, or the steward of its circle, sends this invitation again."))
        return redirect("invitations", org=organisation.slug)
    try:
        fresh, _token = services.invitation_resend(invitation=invitation, by=me)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Invitation sent again to %(email)s, with a new link.") % {"email": fresh.email})
    return redirect("invitations", org=organisation.slug)
