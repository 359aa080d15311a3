"""Pages for personal API tokens, an organisation's integration tokens and its webhooks.

A new token's secret, or a webhook's generated signing secret, is shown in the answer to the POST
that made it and nowhere else: it is not kept in a message or a session, and that answer is not
cached."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.errors import DomainError
from governance.forms import add_domain_error
from governance.models import WebhookDelivery
from governance.services import api_token_create, api_token_revoke, integration_token_create

from . import queries, webhooks
from .events import event_type_choices
from .forms import IntegrationTokenForm, TokenForm, WebhookForm


def _secret_page(request, template, context):
    response = render(request, template, context)
    add_never_cache_headers(response)
    return response


# Personal tokens -------------------------------------------------------------------------------


@login_required
def personal_tokens(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, key = api_token_create(user=request.user, **form.service_kwargs())
        except DomainError as e:
            add_domain_error(form, e)
        else:
            created, form = {"token": token, "key": key}, TokenForm()
    context = {"tokens": queries.personal_tokens(request.user), "form": form, "created": created}
    return _secret_page(request, "governance/tokens.html", context)


@login_required
@require_POST
def personal_token_revoke(request, pk):
    token = get_object_or_404(queries.personal_tokens(request.user), pk=pk)
    if token.revoked_at:
        messages.info(request, _("“%(name)s” was already revoked.") % {"name": token.name})
    else:
        api_token_revoke(token=token)
        messages.success(request, _("“%(name)s” is revoked; it no longer works.") % {"name": token.name})
    return redirect("api_tokens")


# Integration tokens ----------------------------------------------------------------------------


@login_required
def integration_tokens(request, org):
    organisation, me = queries.get_integrations_for(request.user, org)
    form = IntegrationTokenForm(request.POST or None, time_zone=organisation.time_zone)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, key = integration_token_create(organisation=organisation, by=me, **form.service_kwargs())
        except DomainError as e:
            add_domain_error(form, e)
        else:
            created = {"token": token, "key": key}
            form = IntegrationTokenForm(time_zone=organisation.time_zone)
    context = {
        "organisation": organisation,
        "me": me,
        "form": form,
        "created": created,
        "tokens": queries.integration_tokens_visible_to(request.user).filter(organisation=organisation),
        "nav": "integrations",
    }
    return _secret_page(request, "governance/tokens_integrations.html", context)


@login_required
@require_POST
def integration_token_revoke(request, org, pk):
    organisation, me = queries.get_integrations_for(request.user, org)
    token = queries.get_integration_token(organisation, pk)
    if token.revoked_at:
        messages.info(request, _("“%(name)s” was already revoked.") % {"name": token.name})
    else:
        api_token_revoke(token=token, by=me)
        messages.success(
            request,
            _("“%(name)s” is revoked and its bot member has left %(organisation)s.")
            % {"name": token.name, "organisation": organisation.name},
        )
    return redirect("integration_tokens", org=organisation.slug)


# Webhooks --------------------------------------------------------------------------------------


@login_required
def webhook_list(request, org):
    organisation, me = queries.get_integrations_for(request.user, org)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.webhook_create(organisation=organisation, by=me, **form.cleaned_data)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Webhook to %(host)s registered.") % {"host": endpoint.host})
            return _webhook_page(request, organisation, endpoint, created_secret=endpoint.secret)
    context = {
        "organisation": organisation,
        "form": form,
        "endpoints": queries.webhooks_visible_to(request.user).filter(organisation=organisation),
        "event_types": dict(event_type_choices()),
        "nav": "webhooks",
    }
    return render(request, "governance/webhooks.html", context)


@login_required
def webhook_detail(request, org, pk):
    organisation, me = queries.get_integrations_for(request.user, org)
    endpoint = queries.get_webhook(organisation, pk)
    form = None
    if request.method == "POST":
        form = WebhookForm(request.POST, editing=True)
        if form.is_valid():
            try:
                webhooks.webhook_update(endpoint=endpoint, by=me, **form.cleaned_data)
            except DomainError as e:
                add_domain_error(form, e)
            else:
                messages.success(request, _("Webhook saved."))
                return redirect("webhook", org=organisation.slug, pk=endpoint.pk)
    return _webhook_page(request, organisation, endpoint, form=form)


def _webhook_page(request, organisation, endpoint, *, form=None, created_secret=None):
    initial = {"url": endpoint.url, "description": endpoint.description, "event_types": endpoint.event_types}
    status = request.GET.get("status", "")
    deliveries = queries.webhook_log(endpoint)
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, 25).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "endpoint": endpoint,
        "form": form or WebhookForm(initial=initial, editing=True),
        "page": page,
        "status": status,
        "statuses": WebhookDelivery.Status.choices,
        "event_types": dict(event_type_choices()),
        "created_secret": created_secret,
        "nav": "webhooks",
    }
    if created_secret:
        return _secret_page(request, "governance/webhooks_detail.html", context)
    return render(request, "governance/webhooks_detail.html", context)


@login_required
@require_POST
def webhook_new_secret(request, org, pk):
    organisation, me = queries.get_integrations_for(request.user, org)
    endpoint = queries.get_webhook(organisation, pk)
    endpoint = webhooks.webhook_update(endpoint=endpoint, by=me, secret=webhooks.new_secret())
    messages.success(request, _("A new secret signs deliveries from now on; the old one no longer does."))
    return _webhook_page(request, organisation, endpoint, created_secret=endpoint.secret)


@login_required
@require_POST
def webhook_toggle(request, org, pk, action):
    organisation, me = queries.get_integrations_for(request.user, org)
    endpoint = queries.get_webhook(organisation, pk)
    try:
        if action == "enable":
            webhooks.webhook_enable(endpoint=endpoint, by=me)
            messages.success(request, _("Webhook enabled; new events are sent to it again."))
        else:
            webhooks.webhook_disable(endpoint=endpoint, by=me, reason=f"Disabled by {me.user.display_name}.")
            messages.success(request, _("Webhook disabled; nothing more is sent to it until you enable it."))
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("webhook", org=organisation.slug, pk=endpoint.pk)


@login_required
@require_POST
def webhook_remove(request, org, pk):
    organisation, me = queries.get_integrations_for(request.user, org)
    endpoint = queries.get_webhook(organisation, pk)
    host = endpoint.host
    webhooks.webhook_remove(endpoint=endpoint, by=me)
    messages.success(request, _("The webhook to %(host)s is removed, with its delivery log.") % {"host": host})
    return redirect("webhooks", org=organisation.slug)


@login_required
@require_POST
def webhook_redeliver(request, org, pk, delivery_pk):
    organisation, me = queries.get_integrations_for(request.user, org)
    endpoint = queries.get_webhook(organisation, pk)
    delivery = get_object_or_404(queries.webhook_log(endpoint), pk=delivery_pk)
    error = None
    try:
        delivery = webhooks.webhook_redeliver(delivery=delivery, by=me)
    except DomainError as e:
        error = e.message
    if request.htmx:
        delivery = queries.webhook_log(endpoint).get(pk=delivery.pk)
        context = {
            "organisation": organisation,
            "endpoint": endpoint,
            "d": delivery,
            "error": error,
            "queued": not error,
        }
        return render(request, "governance/webhooks_delivery_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Delivery of event #%(id)s queued to be sent again.") % {"id": delivery.event_id})
    return redirect("webhook", org=organisation.slug, pk=endpoint.pk)
