"""The Changes section of a proposal: the "Add a change" menu, each kind's form with its errors next to
the fields, editing and removing, before → after on the page, "passed, not enacted" with the reason
and re-opening; and the number of queries the page needs for 20 changes."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles.models import Circle
from circles.services import circle_update
from proposals.models import Change, Proposal
from proposals.services import change_add
from tests.changes.helpers import amend_data, close, draft, opened


def url(name, proposal, **extra):
    return reverse(name, kwargs={"org": proposal.organisation.slug, "pk": proposal.pk, **extra})


def test_the_menu_lists_the_kinds_grouped(world, client):
    proposal = draft(world.finance, world.member(world.steve))
    client.force_login(world.steve)
    html = client.get(url("change-new", proposal)).content.decode()
    assert "<h2>Circles</h2>" in html
    for label in ("Create a sub-circle", "Amend a circle", "Move a circle", "Archive a circle"):
        assert label in html


def test_a_member_adds_a_change_and_sees_it_before_and_after(world, client):
    proposal = draft(world.finance, world.member(world.steve))
    client.force_login(world.steve)
    form = client.get(url("change-new", proposal) + "?kind=circle.create")
    assert form.status_code == 200 and 'name="parent"' in form.content.decode()
    data = {
        "kind": "circle.create",
        "parent": world.finance.pk,
        "name": "Payroll",
        "purpose": "Pay people on time.",
        "accountabilities": "- Pay by the 25th\n- Answer questions",
    }
    response = client.post(url("change-new", proposal), data)
    assert response.status_code == 302 and response.url.endswith("#changes")
    change = Change.objects.get(proposal=proposal)
    assert change.data["name"] == "Payroll" and change.data["parent"] == world.finance.pk
    html = client.get(url("proposal", proposal)).content.decode()
    assert "Create the sub-circle “Payroll” under “Finance”" in html
    assert '<ins><span class="visually-hidden">added: </span>Pay by the 25th</ins>' in html
    assert url("change-edit", proposal, change=change.pk) in html


def test_a_refused_change_shows_the_error_next_to_its_field_and_keeps_what_was_typed(world, client):
    proposal = draft(world.finance, world.member(world.steve))
    client.force_login(world.steve)
    data = amend_data(world.outreach, purpose="Typed with care")
    response = client.post(url("change-new", proposal), {"kind": "circle.amend", **data})
    html = response.content.decode()
    assert response.status_code == 200
    assert "is outside the domain of “Finance”" in html
    assert "Typed with care" in html
    response = client.post(url("change-new", proposal), {"kind": "circle.amend", **amend_data(world.finance, name="")})
    assert 'id="id_name_error"' in response.content.decode()
    assert not Change.objects.exists()


def test_the_author_edits_and_removes_a_change(world, client):
    steve = world.member(world.steve)
    proposal = draft(world.finance, steve, ("circle.amend", amend_data(world.finance, purpose="Books")))
    change = proposal.changes.get()
    client.force_login(world.steve)
    page = client.get(url("change-edit", proposal, change=change.pk)).content.decode()
    assert "Books" in page
    client.post(url("change-edit", proposal, change=change.pk), amend_data(world.finance, purpose="Ledgers"))
    change.refresh_from_db()
    assert change.data["purpose"] == "Ledgers"
    html = client.get(url("proposal", proposal)).content.decode()
    assert "Ledgers" in html
    client.post(url("change-remove", proposal, change=change.pk))
    assert not Change.objects.exists()


def test_others_cannot_touch_the_changes(world, client):
    proposal = opened(
        world.finance, world.member(world.steve), ("circle.amend", amend_data(world.finance, purpose="B"))
    )
    change = proposal.changes.get()
    client.force_login(world.mia)
    assert client.get(url("change-new", proposal)).status_code == 403
    assert client.post(url("change-remove", proposal, change=change.pk)).status_code == 403
    assert "Add a change" not in client.get(url("proposal", proposal)).content.decode()
    client.force_login(world.oscar)
    assert client.get(url("change-new", proposal)).status_code == 404


def test_passed_not_enacted_is_shown_with_the_reason_and_the_author_reopens(world, client, time_machine):
    alice = world.member(world.alice)
    proposal = opened(world.general, alice, ("circle.amend", amend_data(world.finance, name="Money")))
    circle_update(circle=Circle.objects.get(pk=world.finance.pk), by=None, name="Money")
    proposal = close(proposal, time_machine)
    client.force_login(world.alice)
    html = client.get(url("proposal", proposal)).content.decode()
    assert "Passed, not enacted." in html and "already reads so" in html
    assert "Re-open the round" in html
    change = proposal.changes.get()
    client.post(url("change-edit", proposal, change=change.pk), amend_data(world.finance, name="Treasury"))
    assert client.post(url("proposal-reopen", proposal)).status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).state == "open"


def test_the_proposal_page_needs_as_many_queries_for_20_changes_as_for_1(world, client, django_assert_max_num_queries):
    alice = world.member(world.alice)
    proposal = draft(world.general, alice)
    client.force_login(world.alice)
    counts = {}
    for target in (1, 20):
        while proposal.changes.count() < target:
            n = proposal.changes.count()
            change_add(
                proposal=proposal, by=alice, kind="circle.create", data={"parent": world.finance.pk, "name": f"C{n}"}
            )
        with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as captured:
            response = client.get(url("proposal", proposal))
        assert response.status_code == 200 and response.content.decode().count('class="change') >= target
        counts[target] = len(captured)
    assert counts[1] == counts[20]
