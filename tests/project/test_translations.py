"""Every string a person reads is in French, Spanish and German too, and each person reads their own.

- The catalogues are complete: extracting the strings again from a copy of the source (Django's
  makemessages, GNU gettext's xgettext) adds nothing untranslated, and msgfmt counts no fuzzy or
  untranslated message in fr, es or de. The committed .mo files are those .po files compiled.
- The main pages, reached as the demo's admin by following links from the start page, show no
  interface sentence of the English page in English once she reads French, Spanish or German.
- The language is the member's choice, else the organisation's, else the browser's; the language menu
  keeps it; emails go out in each recipient's language.
"""

import gettext
import re
import shutil
import subprocess
import sys
from collections import deque
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from rest_framework.test import APIClient

from governance.models import User
from governance.services import notifications_flush, notifications_queue
from project.demo import load_demo
from tests.factories import make_member, make_organisation
from tests.project.test_crawl import SKIPPED, links_of, pattern_of

BASE_DIR = Path(settings.BASE_DIR)
LANGUAGES = ["fr", "es", "de"]
GETTEXT = all(shutil.which(tool) for tool in ("xgettext", "msgfmt", "msgmerge"))
needs_gettext = pytest.mark.skipif(not GETTEXT, reason="GNU gettext (xgettext, msgfmt) is not installed")
COPIED_OUT = shutil.ignore_patterns(
    ".venv", ".git", "var", "staticfiles", "node_modules", "test-results", "tests", "*.pyc", "__pycache__"
)


def catalogue(language: str) -> Path:
    return BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """A copy of the source whose catalogues `make messages` has just brought up to date."""
    copy = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(BASE_DIR, copy, ignore=COPIED_OUT)
    ignore = [f"--ignore={name}" for name in ("bench", "docs", "static")]
    command = [sys.executable, "manage.py", "makemessages", "--add-location=file", "--no-obsolete", *ignore]
    command += [arg for language in LANGUAGES for arg in ("-l", language)]
    result = subprocess.run(command, cwd=copy, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return copy


@needs_gettext
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(extracted, language):
    po = extracted / "locale" / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert "fuzzy" not in statistics and "untranslated" not in statistics, (
        f"{language}: {statistics}. Run `make messages`, translate what it added to "
        f"locale/{language}/LC_MESSAGES/django.po, and run `make messages` again:\n" + untranslated(po)
    )


def untranslated(po: Path) -> str:
    """The first msgids that lack a translation (or are fuzzy), to say what is missing."""
    missing, entry = [], []
    for block in po.read_text().split("\n\n"):
        if "#, fuzzy" in block or re.search(r'msgstr(\[\d\])? ""\n?$', block.strip() + "\n"):
            entry = [line for line in block.splitlines() if line.startswith(("msgid", '"'))][:2]
            missing.append(" ".join(entry))
    return "\n".join(missing[1:30])  # the first block is the header


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogues_are_those_of_the_po_files(tmp_path, language):
    if not GETTEXT:
        pytest.skip("GNU gettext (msgfmt) is not installed")
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(catalogue(language))], check=True)
    with open(compiled, "rb") as fresh, open(catalogue(language).with_suffix(".mo"), "rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog, (
            f"locale/{language}/LC_MESSAGES/django.mo is older than its .po: run `make messages`"
        )


class Text(HTMLParser):
    """The text a person reads: every text node, and the words of buttons' and fields' labels."""

    def __init__(self):
        super().__init__()
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "textarea", "pre", "code"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "placeholder", "title") and value:
                self.nodes.append(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea", "pre", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            self.nodes.append(text)


def text_of(html: str) -> set[str]:
    parser = Text()
    parser.feed(html)
    return set(parser.nodes)


def interface_sentences(language: str) -> dict[str, str]:
    """msgid → its translation, for the msgids of several words that the language translates differently:
    a page in that language must not show one of them in English."""
    with translation.override(language):
        catalog = translation.trans_real.translation(language)._catalog
        return {
            msgid: text
            for msgid, text in catalog.items()
            if isinstance(msgid, str) and " " in msgid.strip() and "%" not in msgid and text != msgid
        }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_main_pages_read_in_each_language(language, client, db):
    load_demo()
    alice = User.objects.get(name="Alice Okafor")  # the organisation's admin sees every page
    client.force_login(alice)
    english_only = interface_sentences(language)
    seen, per_pattern, queue = set(), {}, deque(["/"])
    pages, untranslated_on = 0, {}
    while queue and pages < 60:
        path = queue.popleft()
        pattern = pattern_of(path)
        if path in seen or path.startswith(SKIPPED) or per_pattern.get(pattern):
            continue
        seen.add(path)
        per_pattern[pattern] = 1
        User.objects.filter(pk=alice.pk).update(language="en")
        english = client.get(path)
        if english.status_code != 200 or "text/html" not in english.get("Content-Type", ""):
            if english.status_code in (301, 302, 303):
                queue.append(english["Location"])
            continue
        User.objects.filter(pk=alice.pk).update(language=language)
        translated = client.get(path)
        assert translated.status_code == 200, path
        body = translated.content.decode()
        assert f'<html lang="{language}"' in body, path
        pages += 1
        shown_in_english = {node for node in text_of(english.content.decode()) if node in english_only}
        left = shown_in_english & text_of(body)
        if left:
            untranslated_on[path] = sorted(left)
        queue.extend(link for link in links_of(english.content.decode(), path) if link not in seen)
    assert pages >= 30, f"only {pages} pages were reached"
    assert not untranslated_on, f"English left on {language} pages: {untranslated_on}"


def test_the_member_s_choice_comes_before_the_organisation_s_and_that_before_the_browser_s(client, db):
    organisation = make_organisation("Coopérative du Rhône")
    organisation.language = "fr"
    organisation.save()
    member = make_member(organisation)
    client.force_login(member.user)
    home = f"/o/{organisation.slug}/"

    assert '<html lang="fr"' in client.get(home, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    member.user.language = "es"
    member.user.save()
    assert '<html lang="es"' in client.get(home, HTTP_ACCEPT_LANGUAGE="de").content.decode()

    client.logout()
    login = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="de"' in login.content.decode()


def test_the_language_menu_keeps_a_signed_in_member_s_choice_and_can_give_it_back(client, db):
    organisation = make_organisation()
    organisation.language = "de"
    organisation.save()
    member = make_member(organisation)
    client.force_login(member.user)

    answer = client.post("/language/", {"language": "fr", "next": f"/o/{organisation.slug}/"})

    assert answer.status_code == 302 and answer["Location"] == f"/o/{organisation.slug}/"
    member.user.refresh_from_db()
    assert member.user.language == "fr"
    page = client.get(answer["Location"]).content.decode()
    assert '<html lang="fr"' in page and "Vos pages sont désormais en Français." in page

    client.post("/language/", {"language": ""})
    member.user.refresh_from_db()
    assert member.user.language == ""
    assert '<html lang="de"' in client.get(f"/o/{organisation.slug}/").content.decode()


def test_the_language_menu_refuses_a_language_the_site_does_not_have_and_keeps_the_page(client, db):
    answer = client.post("/language/", {"language": "tlh"})

    assert answer.status_code == 200
    assert "tlh" in answer.content.decode() and 'class="field-error"' in answer.content.decode()


def test_someone_not_signed_in_keeps_their_choice_in_the_language_cookie(client, db):
    answer = client.post("/language/", {"language": "es", "next": "/accounts/login/"})

    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert '<html lang="es"' in client.get("/accounts/login/").content.decode()


def test_the_api_says_and_changes_my_language(db):
    organisation = make_organisation()
    member = make_member(organisation)
    api = APIClient()
    api.force_authenticate(member.user)

    assert api.get("/api/v1/me/").json()["language"] == ""
    changed = api.patch("/api/v1/me/", {"language": "de"}, format="json")
    assert changed.status_code == 200 and changed.json()["language"] == "de"
    refused = api.patch("/api/v1/me/", {"language": "xx"}, format="json")
    assert refused.status_code == 400 and "language" in refused.json()


def test_the_api_answers_errors_in_the_language_asked_for(db):
    answer = APIClient().get("/api/v1/organisations/", HTTP_ACCEPT_LANGUAGE="fr")

    assert answer.status_code in (401, 403)
    assert answer.json()["detail"] != "Authentication credentials were not provided."


def test_each_recipient_reads_an_email_in_their_own_language(db, django_capture_on_commit_callbacks):
    organisation = make_organisation()
    organisation.language = "fr"
    organisation.save()
    in_french = make_member(organisation).user
    in_spanish = make_member(organisation).user
    in_spanish.language = "es"
    in_spanish.save()

    with django_capture_on_commit_callbacks(execute=False):
        notifications_queue(
            recipients=[in_french, in_spanish],
            kind="role_vacant",
            key="test",
            organisation=organisation,
            context={"role": "Trésorerie", "circle": "Général", "url": "http://governance.test/r/"},
        )
    notifications_flush()

    by_address = {message.to[0]: message for message in mail.outbox}
    with translation.override("fr"):
        french_footer = translation.gettext("Choose which emails you get, at once or in a daily digest:")
    with translation.override("es"):
        spanish_footer = translation.gettext("Choose which emails you get, at once or in a daily digest:")
    assert french_footer != spanish_footer
    assert french_footer in by_address[in_french.email].body
    assert spanish_footer in by_address[in_spanish.email].body


def test_an_answer_without_words_costs_no_look_up_of_the_reader_s_language(client, db, django_assert_num_queries):
    member = make_member(make_organisation())
    client.force_login(member.user)

    with django_assert_num_queries(0):
        assert client.get("/favicon.ico").status_code in (200, 301, 302)
