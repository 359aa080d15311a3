"""Tenancy: a member of another organisation (olga, admin of Other Co-op) and an outsider (oscar) see
nothing of Acme Co-op through any endpoint. Lists leave it out, details are 404, and writes are 404
and change nothing."""

import pytest
from rest_framework.test import APIClient

from circles.models import Circle, CircleMembership
from governance.models import Event, Invitation, Member, MembershipClass
from governance.services import invitation_create, member_remove
from tests.factories import make_circle


@pytest.fixture
def acme(world):
    """Ids of one object of every kind in Acme Co-op; Other Co-op gets a circle and an invitation too,
    so that olga's lists are not empty for want of data."""
    members_class = MembershipClass.objects.get(organisation=world.organisation)
    invitation, _ = invitation_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        email="guest@example.org",
        membership_class=members_class,
    )
    olga = Member.objects.get(organisation=world.other, user=world.olga)
    make_circle(world.other, "Bakery", steward=olga)
    invitation_create(
        organisation=world.other, by=olga, email="baker@example.org", membership_class=olga.membership_class
    )
    return {
        "organisations": world.organisation.pk,
        "membership-classes": members_class.pk,
        "members": world.member(world.mia).pk,
        "circles": world.finance.pk,
        "circle-memberships": CircleMembership.objects.get(circle=world.finance, member__user=world.mia).pk,
        "invitations": invitation.pk,
        "events": Event.objects.filter(organisation=world.organisation).first().pk,
    }


def acme_ids(world) -> dict[str, set[int]]:
    organisation = world.organisation
    return {
        "organisations": {organisation.pk},
        "membership-classes": set(organisation.membership_classes.values_list("pk", flat=True)),
        "members": set(organisation.members.values_list("pk", flat=True)),
        "circles": set(organisation.circles.values_list("pk", flat=True)),
        "circle-memberships": set(
            CircleMembership.objects.filter(circle__organisation=organisation).values_list("pk", flat=True)
        ),
        "invitations": set(organisation.invitations.values_list("pk", flat=True)),
        "events": set(organisation.events.values_list("pk", flat=True)),
    }


def logged_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


RESOURCES = ["organisations", "membership-classes", "members", "circles", "circle-memberships", "invitations", "events"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_it_leaves_another_organisation_out_of_every_list(world, acme, resource):
    response = logged_in(world.olga).get(f"/api/v1/{resource}/", {"page_size": 200})

    listed = {row["id"] for row in response.json()["results"]}
    assert listed, "olga sees her own organisation's rows"
    assert not listed & acme_ids(world)[resource]


@pytest.mark.parametrize(
    ("resource", "filter_by"),
    [
        ("membership-classes", "organisation"),
        ("members", "organisation"),
        ("members", "circle"),
        ("circles", "organisation"),
        ("circle-memberships", "circle"),
        ("invitations", "organisation"),
        ("events", "organisation"),
        ("events", "circle"),
    ],
)
def test_it_matches_nothing_when_filtering_by_another_organisations_ids(world, acme, resource, filter_by):
    value = {"organisation": world.organisation.pk, "circle": world.finance.pk}[filter_by]

    response = logged_in(world.olga).get(f"/api/v1/{resource}/", {filter_by: value})

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("resource", RESOURCES)
def test_it_shows_an_outsider_empty_lists(world, acme, resource):
    response = logged_in(world.oscar).get(f"/api/v1/{resource}/")

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("persona", ["olga", "oscar"])
def test_it_answers_404_for_the_details_of_another_organisation(world, acme, resource, persona):
    response = logged_in(getattr(world, persona)).get(f"/api/v1/{resource}/{acme[resource]}/")

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def writes(world, acme):
    """Every write of the API, aimed at Acme Co-op, with a body that would be valid for its admin."""
    nora = world.member(world.nora)
    return [
        ("patch", f"/api/v1/organisations/{acme['organisations']}/", {"name": "Taken over"}),
        ("post", "/api/v1/membership-classes/", {"organisation": world.organisation.pk, "name": "Spies"}),
        ("patch", f"/api/v1/membership-classes/{acme['membership-classes']}/", {"voting_weight": 9}),
        ("patch", f"/api/v1/members/{acme['members']}/", {"is_admin": True}),
        ("post", f"/api/v1/members/{acme['members']}/remove/", {"reason": "Because."}),
        ("post", "/api/v1/circles/", {"organisation": world.organisation.pk, "name": "X", "parent": world.general.pk}),
        ("patch", f"/api/v1/circles/{acme['circles']}/", {"name": "Taken over"}),
        ("post", f"/api/v1/circles/{acme['circles']}/archive/", {}),
        ("post", f"/api/v1/circles/{acme['circles']}/restore/", {}),
        ("post", f"/api/v1/circles/{acme['circles']}/steward/", {"member": nora.pk}),
        ("post", "/api/v1/circle-memberships/", {"circle": world.finance.pk, "member": nora.pk}),
        ("post", f"/api/v1/circle-memberships/{acme['circle-memberships']}/remove/", {"reason": "Because."}),
        (
            "post",
            "/api/v1/invitations/",
            {
                "organisation": world.organisation.pk,
                "email": "spy@example.org",
                "membership_class": acme["membership-classes"],
            },
        ),
        ("post", f"/api/v1/invitations/{acme['invitations']}/revoke/", {}),
    ]


@pytest.mark.parametrize("persona", ["olga", "oscar"])
def test_it_answers_404_to_every_write_into_another_organisation_and_changes_nothing(world, acme, persona):
    client = logged_in(getattr(world, persona))
    events_before = Event.objects.filter(organisation=world.organisation).count()

    answers = {
        f"{method} {url}": getattr(client, method)(url, body, format="json").status_code
        for method, url, body in writes(world, acme)
    }

    assert set(answers.values()) == {404}, answers
    assert Event.objects.filter(organisation=world.organisation).count() == events_before
    assert Circle.objects.get(pk=world.finance.pk).name == "Finance"
    assert Invitation.objects.get(pk=acme["invitations"]).state == "pending"
    assert not Member.objects.filter(user=getattr(world, persona), organisation=world.organisation).exists()


def test_it_forgets_a_member_once_they_have_left(world):
    member_remove(member=world.member(world.mia), by=world.member(world.alice), reason="Moved away.")
    mia = logged_in(world.mia)

    assert mia.get("/api/v1/circles/").json()["count"] == 0
    assert mia.get(f"/api/v1/circles/{world.finance.pk}/").status_code == 404
    assert mia.get(f"/api/v1/organisations/{world.organisation.pk}/").status_code == 404
