"""The organisation's own pages, its messages and the API's refusals read in the member's language."""

from rest_framework.test import APIClient

from governance.models import User
from governance.services import invitation_create


def speaking(user, language: str) -> User:
    User.objects.filter(pk=user.pk).update(language=language)
    return User.objects.get(pk=user.pk)


def test_the_members_page_reads_in_french(world, client):
    client.force_login(speaking(world.alice, "fr"))

    body = client.get("/o/acme/members/").content.decode()

    assert '<html lang="fr"' in body
    assert "Filtrer les membres" in body
    assert "Qui fait partie de Acme Co-op, dans quels cercles" in body
    assert "Filter members" not in body


def test_the_settings_form_is_labelled_in_german(world, client):
    client.force_login(speaking(world.alice, "de"))

    body = client.get("/o/acme/settings/").content.decode()

    assert "Zeitzone" in body and "Kleinste Kreisgröße" in body and "Mitgliedsklassen" in body
    assert "Time zone" not in body


def test_a_saved_setting_is_confirmed_in_spanish(world, client):
    client.force_login(speaking(world.alice, "es"))
    form = client.get("/o/acme/settings/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}

    answer = client.post("/o/acme/settings/", {**data, "consent_round_days": 9}, follow=True)

    assert "Ajustes guardados." in answer.content.decode()


def test_an_invitation_page_follows_the_visitor_s_browser(world, client):
    admin = world.member(world.alice)
    _invitation, token = invitation_create(
        organisation=world.organisation, by=admin, email="new@acme.test", membership_class=admin.membership_class
    )

    body = client.get(f"/invitations/{token}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Únete a Acme Co-op" in body
    assert "invita a <strong>new@acme.test</strong> a unirse a Acme Co-op" in body


def test_an_api_refusal_explains_itself_in_german(world):
    api = APIClient()
    api.force_login(speaking(world.alice, "de"))

    answer = api.patch(f"/api/v1/organisations/{world.organisation.pk}/", {"circle_size_min": 9}, format="json")

    assert answer.status_code == 400
    refusal = "Die kleinste Kreisgröße muss mindestens 1 sein und darf die größte nicht übersteigen."
    assert answer.json()["detail"] == refusal
    assert answer.json()["circle_size_min"] == [refusal]


def test_the_same_refusal_stays_english_for_an_english_reader(world):
    api = APIClient()
    api.force_login(speaking(world.alice, "en"))

    answer = api.patch(f"/api/v1/organisations/{world.organisation.pk}/", {"circle_size_min": 9}, format="json")

    assert answer.json()["detail"] == "The smallest circle size must be at least 1 and not above the largest."
