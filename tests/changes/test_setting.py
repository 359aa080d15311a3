"""The organisation setting "structure changes by consent": off, the circle page's Edit buttons and
direct edits are as before; on, members find "Propose a change", the service refuses their direct
edits, and an admin's direct edit needs a reason and is recorded and shown as an admin override."""

import pytest
from django.urls import reverse

from circles.models import Circle
from circles.services import circle_archive, circle_create, circle_update
from governance.errors import Invalid, NotAllowed
from governance.models import Event, Organisation, Provenance
from project.workflows import organisation_found
from proposals.models import Proposal
from tests.factories import UserFactory, make_organisation


def consent(world):
    Organisation.objects.filter(pk=world.organisation.pk).update(structure_by_consent=True)
    world.organisation.refresh_from_db()
    return world


def circle_url(world, name="circle", circle=None):
    return reverse(name, kwargs={"org": "acme", "circle": (circle or world.finance).slug})


def test_a_new_organisation_changes_its_structure_by_consent(db):
    assert make_organisation("New Co-op", structure_by_consent=True).structure_by_consent
    assert organisation_found(name="Fresh", creator=UserFactory()).structure_by_consent


def test_with_the_setting_off_direct_edits_stay(world, client):
    circle_update(circle=world.finance, by=world.member(world.steve), purpose="Books")
    assert not Provenance.objects.exists()
    client.force_login(world.alice)
    html = client.get(circle_url(world)).content.decode()
    assert circle_url(world, "circle_edit") in html and "Propose a change" not in html


def test_with_the_setting_on_the_service_refuses_a_members_direct_edit(world):
    consent(world)
    finance = Circle.objects.get(pk=world.finance.pk)
    with pytest.raises(NotAllowed, match="propose a change"):
        circle_update(circle=finance, by=world.member(world.steve), purpose="Books")
    with pytest.raises(NotAllowed):
        circle_archive(circle=finance, by=world.member(world.steve))
    with pytest.raises(NotAllowed):
        circle_create(organisation=world.organisation, by=world.member(world.mia), name="X", parent=finance)
    assert Circle.objects.get(pk=finance.pk).purpose == ""


def test_an_admins_direct_edit_needs_a_reason_and_is_an_override(world):
    consent(world)
    alice = world.member(world.alice)
    finance = Circle.objects.get(pk=world.finance.pk)
    with pytest.raises(Invalid) as error:
        circle_update(circle=finance, by=alice, purpose="Books")
    assert error.value.field == "override_reason"
    circle_update(circle=finance, by=alice, purpose="Books", override_reason="The bank needs it today")
    (provenance,) = Provenance.objects.all()
    assert provenance.is_override and provenance.override_reason == "The bank needs it today"
    assert provenance.actor == alice and provenance.circle_id == finance.pk
    event = Event.objects.get(verb="circle.updated")
    assert event.details["decision"] == {"override": True, "reason": "The bank needs it today"}


def test_with_the_setting_on_members_find_propose_a_change(world, client):
    consent(world)
    client.force_login(world.steve)
    html = client.get(circle_url(world)).content.decode()
    propose = reverse("propose-change", kwargs={"org": "acme", "circle": "finance"})
    assert f"{propose}?kind=circle.amend&amp;object={world.finance.pk}" in html
    assert circle_url(world, "circle_edit") not in html
    in_general = reverse("propose-change", kwargs={"org": "acme", "circle": world.general.slug})
    assert f"{in_general}?kind=circle.move&amp;object={world.finance.pk}" in html
    client.force_login(world.alice)
    html = client.get(circle_url(world)).content.decode()
    assert "Edit directly (admin override)" in html


def test_propose_a_change_opens_a_draft_pre_filled_with_the_change(world, client):
    consent(world)
    Circle.objects.filter(pk=world.finance.pk).update(purpose="Keep the books")
    client.force_login(world.steve)
    propose = reverse("propose-change", kwargs={"org": "acme", "circle": "finance"})
    page = client.get(f"{propose}?kind=circle.amend&object={world.finance.pk}").content.decode()
    assert "Keep the books" in page and "Amend a circle: Finance" in page
    data = {
        "kind": "circle.amend",
        "object": world.finance.pk,
        "title": "Say what Finance is for",
        "body": "Finance needs a clearer purpose.",
        "method": "consent",
        "round_days": 7,
        "change-circle": world.finance.pk,
        "change-name": "Finance",
        "change-purpose": "Keep the books and the budget",
    }
    response = client.post(propose, data)
    proposal = Proposal.objects.get(title="Say what Finance is for")
    assert response.status_code == 302 and proposal.state == "draft" and proposal.circle_id == world.finance.pk
    assert proposal.changes.get().data["purpose"] == "Keep the books and the budget"


def test_propose_a_change_keeps_what_was_typed_when_the_change_is_refused(world, client):
    consent(world)
    client.force_login(world.steve)
    propose = reverse("propose-change", kwargs={"org": "acme", "circle": "finance"})
    data = {
        "kind": "circle.amend",
        "title": "Take over outreach",
        "body": "Because.",
        "method": "consent",
        "round_days": 7,
        "change-circle": world.outreach.pk,
        "change-name": "Outreach",
        "change-purpose": "Typed with care",
    }
    response = client.post(propose, data)
    html = response.content.decode()
    assert response.status_code == 200 and "outside the domain" in html and "Typed with care" in html
    assert not Proposal.objects.exists()


def test_the_admin_override_page_asks_for_a_reason(world, client):
    consent(world)
    client.force_login(world.alice)
    edit = circle_url(world, "circle_edit")
    form = {"name": "Finance", "parent": world.general.pk, "purpose": "Books", "domains": "", "accountabilities": ""}
    page = client.post(edit, form).content.decode()
    assert 'id="id_override_reason_error"' in page
    response = client.post(edit, {**form, "override_reason": "Auditors arrive tomorrow"})
    assert response.status_code == 302
    html = client.get(circle_url(world)).content.decode()
    assert "Admin override" in html and "Auditors arrive tomorrow" in html
