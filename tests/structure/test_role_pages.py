"""The role page says which decision made or last changed the role."""

import pytest

from governance.errors import Invalid, NotAllowed
from governance.models import Provenance
from roles.services import role_update
from tests.factories import make_role

from .helpers import decision, enact


def test_the_role_page_shows_the_decision_that_created_it(world, as_user):
    (role,) = enact(
        decision(world, proposal_id=42, title="Split global coordination"),
        "role.create",
        {"circle": world.finance.pk, "name": "Finance coordinator"},
    )
    page = as_user(world.mia).get(f"/o/acme/roles/{role.pk}/").content.decode()
    assert "Decided by" in page and 'href="/o/acme/p/42/">Split global coordination</a>' in page


def test_an_amendment_is_the_latest_decision_shown(world, as_user):
    ctx = decision(world, proposal_id=42, title="Create it")
    (role,) = enact(ctx, "role.create", {"circle": world.finance.pk, "name": "Scribe"})
    enact(
        decision(world, proposal_id=43, title="Give it a purpose"),
        "role.amend",
        {"role": role.pk, "purpose": "Writes."},
    )
    page = as_user(world.mia).get(f"/o/acme/roles/{role.pk}/").content.decode()
    assert "Give it a purpose" in page and "Create it" not in page


def by_consent(world):
    world.organisation.structure_by_consent = True
    world.organisation.save(update_fields=["structure_by_consent"])


def test_with_the_setting_on_a_steward_proposes_instead_of_editing(world, as_user):
    by_consent(world)
    role = make_role(world.finance, "Scribe")
    client = as_user(world.steve)
    page = client.get(f"/o/acme/roles/{role.pk}/").content.decode()
    assert "Propose a change" in page and f"/o/acme/roles/{role.pk}/edit/" not in page
    link = f"/o/acme/c/finance/propose/?kind=role.amend&amp;object={role.pk}"
    assert link in page
    form = client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200 and 'value="Scribe"' in form.content.decode()
    with pytest.raises(NotAllowed):
        role_update(role=role, by=world.member(world.steve), purpose="Direct")


def test_an_admin_edits_directly_with_a_reason_shown_as_an_override(world, as_user):
    by_consent(world)
    role = make_role(world.finance, "Scribe")
    client = as_user(world.alice)
    page = client.get(f"/o/acme/roles/{role.pk}/").content.decode()
    assert "Edit directly (admin override)" in page
    form = client.get(f"/o/acme/roles/{role.pk}/edit/").content.decode()
    assert "override_reason" in form
    data = {
        "name": "Scribe",
        "purpose": "Writes the minutes.",
        "seats": 1,
        "time_period": "week",
        "selection": "appointed",
        "election_method": "sociocratic",
        "term_months": 6,
        "override_reason": "The steward is away and minutes are due",
    }
    response = client.post(f"/o/acme/roles/{role.pk}/edit/", data)
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.purpose == "Writes the minutes."
    provenance = Provenance.objects.get(object_type="role", object_id=role.pk)
    assert provenance.is_override and provenance.override_reason == "The steward is away and minutes are due"
    page = client.get(f"/o/acme/roles/{role.pk}/").content.decode()
    assert "Admin override" in page and "The steward is away" in page


def test_without_a_reason_the_admin_edit_is_refused(world):
    by_consent(world)
    role = make_role(world.finance, "Scribe")
    with pytest.raises(Invalid, match="Say why you edit the structure directly"):
        role_update(role=role, by=world.member(world.alice), purpose="x")


def test_with_the_setting_off_the_steward_edits_as_before(world, as_user):
    role = make_role(world.finance, "Scribe")
    page = as_user(world.steve).get(f"/o/acme/roles/{role.pk}/").content.decode()
    assert f"/o/acme/roles/{role.pk}/edit/" in page and "Propose a change" not in page
    role_update(role=role, by=world.member(world.steve), purpose="Direct")
