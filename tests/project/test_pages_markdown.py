"""Markdown members write is rendered, and anything that could run in a reader's browser is removed."""

from django.template import Context, Template
from django.urls import reverse

from circles.models import Circle
from governance.markdown import render_markdown

HOSTILE = (
    "# Our purpose\n\n"
    "We keep **the books**. <script>alert('stolen')</script>\n\n"
    "[Click me](javascript:alert('x')) and <a href=\"JaVaScRiPt:alert('y')\">me</a> "
    'and <img src="x.png" onerror="alert(\'z\')"> and <a href="https://example.org" onclick="alert(\'w\')">ok</a>\n\n'
    '<style>body { display: none }</style><iframe src="https://evil.example"></iframe>'
)


def test_it_renders_markdown_to_html():
    html = render_markdown("Hello **world**\n\n- one\n- two\n\n[site](https://example.org)")

    assert "<strong>world</strong>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">site</a>' in html


def test_it_removes_scripts_and_their_content():
    html = render_markdown(HOSTILE)

    assert "<script" not in html
    assert "stolen" not in html
    assert "<style" not in html
    assert "<iframe" not in html


def test_it_removes_javascript_links_and_event_handlers():
    html = render_markdown(HOSTILE).lower()

    assert "javascript:" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "alert(" not in html
    assert "<strong>the books</strong>" in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_the_template_filter_renders_sanitised_markdown():
    html = Template("{% load governance_tags %}{{ text|markdown }}").render(Context({"text": HOSTILE}))

    assert "<h1>Our purpose</h1>" in html
    assert "alert(" not in html


def test_the_circle_page_shows_purpose_domains_and_accountabilities_safely(as_user, world):
    Circle.objects.filter(pk=world.finance.pk).update(
        purpose=HOSTILE, domains="- Budgets\n- Invoices", accountabilities="Publish *accounts*"
    )

    response = as_user(world.mia).get(reverse("circle", kwargs={"org": "acme", "circle": "finance"}))

    page = response.content.decode()
    assert "<strong>the books</strong>" in page
    assert "<li>Budgets</li>" in page
    assert "<em>accounts</em>" in page
    assert "alert(" not in page
    assert "javascript:" not in page.lower()


def test_the_organisation_description_is_sanitised_too(as_user, world):
    world.organisation.description = HOSTILE
    world.organisation.save(update_fields=["description"])

    response = as_user(world.mia).get(reverse("organisation", kwargs={"org": "acme"}))

    page = response.content.decode()
    assert "<h1>Our purpose</h1>" in page
    assert "alert(" not in page
