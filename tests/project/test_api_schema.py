"""The OpenAPI schema: it generates without a warning, validates, describes every /api/v1/ route and
method the URL conf serves, and the interactive docs load their assets from our own /static/."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # The schema and docs are served to anonymous callers, whose throttle counts live in the cache.
    cache.clear()


def test_it_generates_a_valid_schema_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert "bearerAuth" in schema["components"]["securitySchemes"]


def served_routes():
    """(OpenAPI path, HTTP method) for every route under /api/v1/, read from the URL resolver."""

    def walk(patterns, prefix):
        for pattern in patterns:
            regex = prefix + pattern.pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, regex)
            elif isinstance(pattern, URLPattern):
                yield regex, pattern.callback

    for regex, callback in walk(get_resolver().url_patterns, "/"):
        if not regex.startswith("/api/v1/"):
            continue
        path = re.sub(r"\(\?P<(\w+)>[^)]+\)", lambda m: "{" + ("id" if m[1] == "pk" else m[1]) + "}", regex)
        path = path.replace("\\", "")
        if hasattr(callback, "actions"):  # a viewset route: its methods are the mapped actions
            methods = set(callback.actions)
        else:
            methods = {m for m in callback.view_class.http_method_names if hasattr(callback.view_class, m)}
        for method in methods - {"head", "options"}:
            yield path, method


def test_it_describes_every_api_route_and_method():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = set(served_routes())

    described = {(path, method) for path, operations in schema["paths"].items() for method in operations}
    assert len(routes) > 25
    assert routes - described == set()
    assert described - routes == set()


def test_it_documents_the_error_answers_of_every_operation():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            # The open record's API (record/api.py) takes no credentials, so it never answers 401.
            if path != "/api/v1/auth/token/" and not path.startswith("/api/v1/open/"):
                assert "401" in codes, (method, path)
            if "{id}" in path:
                assert "404" in codes, (method, path)
            if method != "get" and path != "/api/v1/auth/token/":
                assert "403" in codes, (method, path)  # a read-only token gets it on any write
            for code, answer in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_it_names_its_enums_and_nullable_fields():
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]

    assert schemas["MemberStatusEnum"]["enum"] == ["active", "left"]
    assert schemas["InvitationStateEnum"]["enum"] == ["pending", "accepted", "revoked", "expired"]
    assert schemas["Circle"]["properties"]["steward"]["nullable"] is True
    assert schemas["Circle"]["properties"]["parent"]["nullable"] is True
    assert schemas["CircleMembership"]["properties"]["left_at"]["nullable"] is True
    assert schemas["Error"]["required"] == ["detail"]


def test_it_serves_the_schema(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/v1/circles/" in response.content


def test_it_serves_the_docs_with_assets_from_static_and_no_cdn(client):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert response.status_code == 200
    assert any(a.startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/") for a in assets), assets
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    for asset in assets:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset


def test_it_says_a_stored_blank_may_come_back_empty():
    """DRF drops allow_blank from read-only fields; the schema adds the empty value back where the
    model field may hold one (a proposal's outcome before the close, a meeting without a video link)."""
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]

    outcome = schemas["Proposal"]["properties"]["outcome"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in outcome["oneOf"]
    assert schemas["BlankEnum"]["enum"] == [""]
    video_url = schemas["Meeting"]["properties"]["video_url"]
    assert {"type": "string", "maxLength": 0} in video_url["oneOf"]


def test_it_documents_filters_on_lists_only():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    comments = schema["paths"]["/api/v1/proposals/{id}/comments/"]["get"]
    listed = schema["paths"]["/api/v1/proposals/"]["get"]
    assert "state" in {p["name"] for p in listed["parameters"]}
    assert "state" not in {p["name"] for p in comments["parameters"]}
