"""The admin's success paths (issue 12's defects): saving a circle or an organisation answers a
redirect, not a 500; a site admin who is not a member is named in the events; under "structure changes
by consent" an admin's edit in the Django admin is an override with its reason."""

import pytest
from django.urls import reverse

from circles.models import Circle
from governance.models import Event, Organisation, Provenance, User
from governance.templatetags.governance_tags import event_text


@pytest.fixture
def site_admin(db):
    return User.objects.create_superuser(email="root@site.test", password="pw-for-tests-1", name="Site Admin")


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def circle_form(circle, **extra):
    return {
        "parent": circle.parent_id,
        "name": circle.name,
        "purpose": "Count the beans.",
        "domains": "",
        "accountabilities": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        **extra,
    }


def test_saving_a_circle_in_the_admin_redirects_and_names_the_site_admin(client, world, site_admin):
    client.force_login(site_admin)
    response = client.post(url(Circle, "change", world.finance.pk), circle_form(world.finance))
    assert response.status_code == 302
    assert Circle.objects.get(pk=world.finance.pk).purpose == "Count the beans."
    event = Event.objects.get(verb="circle.updated")
    assert event.actor is None and event.details["site_admin"] == "Site Admin"
    assert "Site Admin</strong> (site admin)" in event_text(event, world.organisation)


def test_saving_an_organisation_in_the_admin_redirects(client, world, site_admin):
    client.force_login(site_admin)
    organisation = world.organisation
    data = {
        "name": "Acme Co-operative",
        "description": "",
        "time_zone": "UTC",
        "circle_size_min": 3,
        "circle_size_max": 8,
        "load_max_circles": 3,
        "consent_round_days": 7,
        "language": organisation.language,
        "currency": organisation.currency,
        "proxies_max_held": organisation.proxies_max_held,
        "structure_by_consent": "on" if organisation.structure_by_consent else "",
    }
    classes = list(organisation.membership_classes.all())
    count = str(len(classes))
    data.update({"membership_classes-TOTAL_FORMS": count, "membership_classes-INITIAL_FORMS": count})
    for i, membership_class in enumerate(classes):
        data[f"membership_classes-{i}-id"] = membership_class.pk
        data[f"membership_classes-{i}-organisation"] = organisation.pk
    response = client.post(url(Organisation, "change", organisation.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get(pk=organisation.pk).name == "Acme Co-operative"
    assert Event.objects.get(verb="organisation.updated").details["site_admin"] == "Site Admin"


def test_an_admin_members_edit_in_the_admin_under_consent_is_an_override_with_its_reason(client, world):
    Organisation.objects.filter(pk=world.organisation.pk).update(structure_by_consent=True)
    User.objects.filter(pk=world.alice.pk).update(is_staff=True, is_superuser=True)
    client.force_login(world.alice)
    refused = client.post(url(Circle, "change", world.finance.pk), circle_form(world.finance))
    assert refused.status_code == 200 and "Say why you edit the structure directly" in refused.content.decode()
    saved = client.post(url(Circle, "change", world.finance.pk), circle_form(world.finance, override_reason="Typo"))
    assert saved.status_code == 302
    (provenance,) = Provenance.objects.all()
    assert provenance.is_override and provenance.override_reason == "Typo"
    assert provenance.actor == world.member(world.alice)
