"""The API survives fuzzing: schemathesis generates requests from the OpenAPI schema for every
operation and sends them to the app on a live server on loopback, over seeded data.

- As a member (Alice, who administers Acme, so that every write path is reachable): at least 1,000
  cases, valid and invalid, with no server error (5xx) and no answer that breaks the schema (status
  code, content type, headers and body as documented).
- As a member of another organisation (Olga): no write succeeds on the first organisation; its
  rows are the same before and after.
- As a member again, on a second live server configured as production is (DEBUG off, and what
  DEBUG off turns on in governance/settings.py: the HTTPS redirect, secure cookies, HSTS, only the
  server's own host allowed), reached as through a TLS-terminating proxy: fewer cases, the same
  checks. (pytest-django already runs the tests with DEBUG off; the flags that settings.py derives
  from DEBUG at import are the development ones, so this run is the one that sees production's.)

Generation is derandomised, so that a run is reproducible; SCHEMATHESIS_SEED=<n> explores other
cases. Path ids and id references in bodies are drawn partly from the ids that exist, so that the
requests reach real objects rather than only 404s.
"""

import contextlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field

import pytest
import requests
import schemathesis
from django.apps import apps
from django.core.cache import cache
from django.db import models
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from pytest_django.live_server_helper import LiveServer
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from governance.integrations.webhooks import webhook_create
from governance.models import Organisation
from governance.services import api_token_create, integration_token_create, invitation_create
from meetings.services import tension_raise
from proposals.services import comment_add, position_record
from tests.factories import UserFactory, make_meeting, make_member, make_proposal, make_role

pytestmark = [pytest.mark.django_db(transaction=True, reset_sequences=True)]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
APPS = ("governance", "circles", "roles", "proposals", "meetings")
# Cases per operation, valid and invalid, for each run. About 135 operations: well over 1,000 cases.
MEMBER_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
OUTSIDER_EXAMPLES = int(os.environ.get("SCHEMATHESIS_OUTSIDER_EXAMPLES", "4"))
PRODUCTION_EXAMPLES = int(os.environ.get("SCHEMATHESIS_PRODUCTION_EXAMPLES", "3"))
# What the reverse proxy in front of production adds (SECURE_PROXY_SSL_HEADER): the request came over TLS.
BEHIND_TLS = {"X-Forwarded-Proto": "https"}
SEED = os.environ.get("SCHEMATHESIS_SEED")


@dataclass
class Run:
    cases: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)
    successful_writes: list = field(default_factory=list)


@pytest.fixture
def fuzzing(settings):
    """What the fuzzer may do, it may do without leaving the machine or being throttled: webhook
    targets are not looked up in DNS (any address is allowed, and no worker runs to send to them),
    and the per-user rate is lifted for this run (tests/governance/test_api_rate_limit.py covers it)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "1000000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded(world, fuzzing):
    """The shared personas, plus proposals in each state with positions and comments, an invitation,
    an integration, a webhook with a delivery, a meeting, a tension and a role, and a proposal in
    the other organisation."""
    alice, steve, mia = (world.member(u) for u in (world.alice, world.steve, world.mia))
    make_proposal(world.finance, steve, title="A draft", opened=False)
    open_one = make_proposal(world.finance, steve, title="Buy a shared printer")
    position_record(proposal=open_one, member=mia, kind="concern", reason="Where would it go?")
    comment_add(proposal=open_one, author=mia, body="Could we rent one first?")
    make_proposal(world.general, alice, title="Adopt the new budget", anonymous=True)
    invitation_create(
        organisation=world.organisation,
        by=alice,
        email="newcomer@example.org",
        membership_class=alice.membership_class,
        circle=world.finance,
    )
    integration_token_create(organisation=world.organisation, by=alice, name="Chat bot")
    webhook_create(
        organisation=world.organisation,
        by=alice,
        url="https://hooks.example.org/governance",
        event_types=["member.joined", "proposal.opened"],
    )
    make_member(world.organisation, user=UserFactory(email="late@acme.test"))  # queues a delivery
    make_meeting(world.finance, by=steve, title="Finance fortnightly")
    tension_raise(circle=world.finance, by=mia, title="Receipts pile up unsorted")
    make_role(world.finance, name="Bookkeeper")
    olga = world.other.members.get(user=world.olga)
    make_proposal(world.other.circles.get(is_general=True), olga, title="Other co-op's proposal")
    return world


@pytest.fixture
def api_schema(live_server, fuzzing):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    return operations


@pytest.fixture
def production_server(settings, fuzzing):
    """A live server of its own, started once the production settings are in place: the security
    middleware reads them when the server starts, not on each request."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


def organisation_path(model) -> str | None:
    """The lookup from a model to its organisation (`organisation`, `circle__organisation`…)."""
    if model is Organisation:
        return "pk"
    queue, seen = [(model, "")], {model}
    while queue:
        current, prefix = queue.pop(0)
        for f in current._meta.get_fields():
            if not isinstance(f, models.ForeignKey):
                continue
            path = f"{prefix}{f.name}"
            if f.related_model is Organisation:
                return path
            if f.related_model not in seen and path.count("__") < 3:
                seen.add(f.related_model)
                queue.append((f.related_model, f"{path}__"))
    return None


def rows_of(organisation) -> dict:
    """Every row that belongs to the organisation, in every app, as plain values."""
    snapshot = {}
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        path = organisation_path(model)
        if path is None:
            continue
        rows = model._default_manager.filter(**{path: organisation.pk}).order_by("pk").values()
        snapshot[model._meta.label] = list(rows)
    return snapshot


def ids_for(operation, organisation=None) -> list[int]:
    """Ids of the objects an `{id}` operation is about (those of one organisation, if given)."""
    if "{id}" not in operation.path:
        return []
    viewset = resolve(re.sub(r"\{[^}]+\}", "1", operation.path)).func.cls
    serializer = getattr(viewset, "serializer_class", None)
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None:
        return []
    objects = model._default_manager.all()
    path = organisation_path(model)
    if organisation is not None and path is not None:
        objects = objects.filter(**{path: organisation.pk})
    return list(objects.order_by("pk").values_list("pk", flat=True)[:50])


def fuzz(operations, *, token, examples, run, protect=(), organisation_ids=(), target=None, extra_headers=None):
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}", **(extra_headers or {})}
    base_url = operations[0].schema.location.split("/api/schema/")[0]
    references = st.sampled_from(range(1, 40))

    def sender(operation, real_ids):
        strategies = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE)]
        with contextlib.suppress(Exception):  # an operation with nothing to make invalid has no negative cases
            strategies.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=SEED is None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies), data=st.data())
        def send(case, data):
            if real_ids and data.draw(st.booleans()):
                case.path_parameters["id"] = data.draw(st.sampled_from(real_ids))
            if isinstance(case.body, dict):
                for key, value in list(case.body.items()):
                    if key == "organisation" and organisation_ids and data.draw(st.booleans()):
                        case.body[key] = data.draw(st.sampled_from(organisation_ids))
                    elif type(value) is int and data.draw(st.booleans()):
                        case.body[key] = data.draw(references)
            if case.path_parameters.get("id") in protect and operation.path.startswith("/api/v1/auth/tokens/"):
                return  # never revoke the token the run authenticates with
            response = case.call(base_url=base_url, session=session, headers=headers)
            run.cases[operation.label] += 1
            run.statuses[response.status_code] += 1
            if case.method.upper() != "GET" and 200 <= response.status_code < 300:
                run.successful_writes.append((operation.label, response.status_code))
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (AssertionError, BaseExceptionGroup) as failure:
                curl = case.as_curl_command(headers={"Authorization": "Bearer <token>"})
                run.failures.append((operation.label, curl, response.status_code, describe(failure)))

        return seed(int(SEED))(send) if SEED is not None else send

    for operation in operations:
        sender(operation, ids_for(operation, target))()


def describe(failure) -> str:
    failures = failure.exceptions if isinstance(failure, BaseExceptionGroup) else [failure]
    return "; ".join(f"{type(f).__name__}: {str(f)[:600]}" for f in failures)


def report(run: Run) -> str:
    lines = [f"{len(run.failures)} failing cases of {sum(run.cases.values())}; statuses {dict(run.statuses)}"]
    for label, curl, status, message in run.failures[:40]:
        lines.append(f"- {label} -> {status}: {message}\n  {curl}")
    return "\n".join(lines)


def test_a_member_fuzzing_every_operation_gets_no_server_error_and_no_answer_off_the_schema(seeded, api_schema):
    _token, key = api_token_create(user=seeded.alice, name="Fuzzer")
    run = Run()

    fuzz(api_schema, token=key, examples=MEMBER_EXAMPLES, run=run, protect={_token.pk})

    assert run.failures == [], report(run)
    assert sum(run.cases.values()) >= 1000, report(run)
    assert set(run.cases) == {operation.label for operation in api_schema}  # every operation was called
    assert run.statuses[500] == 0
    assert any(200 <= status < 300 for status in run.statuses)  # it reached real objects, not only errors


def test_a_member_of_another_organisation_writes_nothing_to_the_first(seeded, api_schema):
    acme = seeded.organisation
    _token, key = api_token_create(user=seeded.olga, name="Curious neighbour")
    before = rows_of(acme)
    run = Run()

    fuzz(
        api_schema,
        token=key,
        examples=OUTSIDER_EXAMPLES,
        run=run,
        protect={_token.pk},
        organisation_ids=[acme.pk, seeded.other.pk],
        target=acme,
    )

    after = rows_of(acme)
    changed = {label for label in before if before[label] != after[label]}
    assert changed == set(), changed
    assert run.failures == [], report(run)
    assert sum(run.cases.values()) >= len(api_schema) * 2


def test_a_member_fuzzing_a_server_configured_for_production_gets_no_server_error(seeded, production_server):
    base_url = production_server.url
    assert requests.get(f"{base_url}/api/v1/", allow_redirects=False, timeout=10).status_code == 301  # to https
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/?format=json", headers=BEHIND_TLS)
    operations = [result.ok() for result in schema.get_all_operations()]
    _token, key = api_token_create(user=seeded.alice, name="Fuzzer")
    run = Run()

    fuzz(operations, token=key, examples=PRODUCTION_EXAMPLES, run=run, protect={_token.pk}, extra_headers=BEHIND_TLS)

    assert run.failures == [], report(run)
    assert set(run.cases) == {operation.label for operation in operations}
    assert sum(run.cases.values()) >= len(operations) * 2, report(run)
    assert run.statuses[500] == 0 and run.statuses[301] == 0, report(run)
    answer = requests.get(f"{base_url}/api/v1/nowhere/", headers=BEHIND_TLS, timeout=10)
    assert answer.status_code == 404 and answer.json() == {"detail": "Not found."}  # not the debug page
    assert "Strict-Transport-Security" in answer.headers
