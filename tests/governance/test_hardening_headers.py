"""Security headers: a Content-Security-Policy with no inline script or style on every page and API
answer, a Permissions-Policy that turns off what no page uses, and `Cache-Control: private, no-store`
on whatever is answered to someone logged in (but not on static files, nor to visitors)."""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error
from rest_framework.test import APIClient

from governance.services import api_token_create

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def permissions(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def bearer(world):
    _token, key = api_token_create(user=world.mia, name="Headers")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_page_for_a_member_carries_the_policy_and_is_not_to_be_stored(world, client):
    client.force_login(world.mia)

    response = client.get("/o/acme/")

    assert response.status_code == 200
    assert directives(response) == POLICY
    assert {"camera": "()", "microphone": "()", "geolocation": "()", "payment": "()", "usb": "()"}.items() <= (
        permissions(response).items()
    )
    assert {"private", "no-store"} <= cache_control(response)
    assert "public" not in cache_control(response)


def test_an_api_answer_to_a_token_carries_the_policy_and_is_not_to_be_stored(bearer):
    response = bearer.get("/api/v1/circles/")

    assert response.status_code == 200
    assert directives(response) == POLICY
    assert permissions(response)["camera"] == "()"
    assert {"private", "no-store"} <= cache_control(response)


def test_the_login_page_carries_the_policy(db, client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert directives(response) == POLICY
    assert permissions(response)["geolocation"] == "()"


def test_a_visitor_page_is_not_marked_private(db, client):
    response = client.get("/")

    assert response.status_code == 200
    assert directives(response) == POLICY
    assert "no-store" not in cache_control(response)


def test_static_files_keep_their_own_cache_headers_for_a_member(world, client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from static/, as under runserver, without collectstatic
    client.force_login(world.mia)

    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert "no-store" not in cache_control(response)


def test_the_browsable_api_alone_allows_style_attributes(world, client):
    client.force_login(world.mia)

    page = client.get("/api/v1/circles/", HTTP_ACCEPT="text/html")
    json = client.get("/api/v1/circles/", HTTP_ACCEPT="application/json")

    assert page.status_code == json.status_code == 200
    assert directives(page) == {**POLICY, "style-src-attr": "'unsafe-inline'"}
    assert "<style" not in page.content.decode()
    assert directives(json) == POLICY


def test_the_api_docs_load_their_init_script_from_a_url_not_inline(db, client):
    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    html = page.content.decode()
    assert page.status_code == script.status_code == 200
    assert directives(page) == POLICY
    assert 'src="/api/docs/?script="' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_htmx_is_told_not_to_insert_styles_or_evaluate_attributes(world, client):
    client.force_login(world.mia)

    html = client.get("/o/acme/").content.decode()

    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config is not None
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)


def test_the_error_page_takes_its_style_from_a_static_file():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert '<link rel="stylesheet" href="/static/css/error.css">' in response.content.decode()


@pytest.mark.parametrize(
    "pattern",
    [
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",  # an inline script
        r"<style\b",  # a <style> element
        r"\sstyle=\"",  # a style attribute
        r"\son[a-z]+=\"",  # an event handler attribute
        r"\shx-on[:-]",  # htmx's inline handlers, evaluated with new Function
        r"javascript:",
    ],
)
def test_no_template_has_inline_script_or_style(pattern):
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(pattern, line)
    ]

    assert found == []
