"""Bulk onboarding: a CSV or a pasted list, a result per line, nothing made for a bad line, within a
pinned query budget; the API's 500-a-request limit; adding someone with an account directly."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from circles.models import CircleMembership
from governance.models import Invitation, Member, Notification
from governance.services import invitation_accept, invitation_create
from project.onboarding import lines_from_text, onboarding_check, onboarding_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def big_csv(n_good: int) -> tuple[str, dict]:
    """A CSV with a header, `n_good` good lines, and, every tenth line, one of each problem."""
    lines, bad = ["email,name,membership class,circles"], {}
    for i in range(n_good):
        lines.append(f"person{i}@river.test,Person {i},Members,Finance;Outreach")
        if i % 10 == 0:
            problems = {
                f"person{i}@river.test": "The same address as line",
                f"not-an-address-{i}": "is not an email address",
                f"ghost{i}@river.test,Ghost,Members,Choir": "No active circle called “Choir”",
                f"classless{i}@river.test,Classless,Elders": "No membership class called “Elders”",
                f"long{i}@river.test,{'N' * 151}": "longer than 150 characters",
            }
            for text, message in problems.items():
                lines.append(text)
                bad[len(lines)] = message
    return "\n".join(lines), bad


def test_a_csv_of_300_lines_answers_per_line_and_makes_nothing_for_the_bad_ones(world):
    text, bad = big_csv(250)  # 250 good lines and 125 bad ones (5 every 10th)
    alice = world.member(world.alice)
    rows = lines_from_text(text)
    assert len(rows) == 375

    lines = onboarding_send(
        organisation=world.organisation, by=alice, rows=rows, default_class=world.organisation.membership_classes.get()
    )

    by_number = {line.number: line for line in lines}
    for number, message in bad.items():
        assert by_number[number].status == "error" and message in " ".join(by_number[number].errors), number
    assert sum(line.status == "invited" for line in lines) == 250
    invitations = Invitation.objects.filter(organisation=world.organisation)
    assert invitations.count() == 250
    assert not invitations.filter(email__startswith="ghost").exists()
    assert not invitations.filter(email__startswith="classless").exists()
    assert not invitations.filter(email__startswith="long").exists()
    assert Notification.objects.filter(kind="invitation").count() == 250
    first = invitations.get(email="person0@river.test")
    assert (first.name, first.circle, list(first.more_circles.all())) == ("Person 0", world.finance, [world.outreach])


def test_the_preview_costs_the_same_queries_for_10_or_300_lines(world):
    alice = world.member(world.alice)
    default = world.organisation.membership_classes.get()
    counts = []
    onboarding_check(organisation=world.organisation, by=alice, rows=[], default_class=default)  # loads alice.user
    for n in (10, 300):
        rows = lines_from_text(big_csv(n)[0])
        with CaptureQueriesContext(connection) as queries:
            onboarding_check(organisation=world.organisation, by=alice, rows=rows, default_class=default)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8


def test_sending_costs_a_pinned_number_of_queries_per_person(world, django_assert_max_num_queries):
    alice = world.member(world.alice)
    default = world.organisation.membership_classes.get()
    rows = lines_from_text(big_csv(50)[0])

    with django_assert_max_num_queries(10 + 11 * 50):  # about ten a person: invitation, circles, event, email
        onboarding_send(organisation=world.organisation, by=alice, rows=rows, default_class=default)


def test_it_tells_who_is_already_a_member_or_invited(world):
    alice = world.member(world.alice)
    default = world.organisation.membership_classes.get()
    invitation_create(organisation=world.organisation, by=alice, email="pending@river.test", membership_class=default)
    rows = lines_from_text("mia@acme.test\npending@river.test\nMIA@acme.test\nnew@river.test")

    lines = onboarding_check(organisation=world.organisation, by=alice, rows=rows, default_class=default)

    assert [line.errors for line in lines] == [
        ["Already a member."],
        ["Already invited: resend that invitation instead."],
        ["The same address as line 1.", "Already a member."],
        [],
    ]


def test_a_steward_invites_only_into_circles_they_steward(world):
    steve = world.member(world.steve)
    default = world.organisation.membership_classes.get()
    rows = lines_from_text("a@river.test,,,Finance\nb@river.test,,,Outreach\nc@river.test")

    lines = onboarding_send(organisation=world.organisation, by=steve, rows=rows, default_class=default)

    assert [line.status for line in lines] == ["invited", "error", "error"]
    assert "You may not invite people into Outreach." in lines[1].errors
    assert "Name a circle you steward" in lines[2].errors[0]
    assert list(Invitation.objects.values_list("email", flat=True)) == ["a@river.test"]


def test_accepting_a_bulk_invitation_joins_every_circle_it_names(world):
    alice = world.member(world.alice)
    default = world.organisation.membership_classes.get()
    line = onboarding_send(
        organisation=world.organisation,
        by=alice,
        rows=lines_from_text("zoe@river.test,Zoe,,Finance;Outreach"),
        default_class=default,
    )[0]
    zoe = UserFactory(email="zoe@river.test")
    token = line.link.rstrip("/").rsplit("/", 1)[1]
    member = invitation_accept(token=token, user=zoe)

    circles = set(CircleMembership.objects.current().filter(member=member).values_list("circle__name", flat=True))
    assert circles == {"Finance", "Outreach"}


def test_the_bulk_page_previews_then_sends_the_good_lines(client, world):
    client.force_login(world.alice)
    upload = SimpleUploadedFile(
        "people.csv", b"email,name\numa@river.test,Uma\nnot-an-email\numa@river.test,Uma again\n"
    )
    default = world.organisation.membership_classes.get().pk

    preview = client.post(
        "/o/acme/invitations/bulk/", {"csv_file": upload, "membership_class": default, "preview": "1"}
    )

    page = preview.content.decode()
    assert "1 line is ready to send" in page and "“not-an-email” is not an email address." in page
    assert "The same address as line 2." in page and not Invitation.objects.exists()
    assert "uma@river.test,Uma" in page  # the file is kept as text, for sending exactly what was previewed
    sent = client.post(
        "/o/acme/invitations/bulk/",
        {"people": preview.context["form"].data["people"], "membership_class": default, "send": "1"},
    )
    assert "1 invited, 0 added directly; 2 lines left out." in sent.content.decode()
    assert list(Invitation.objects.values_list("email", "name")) == [("uma@river.test", "Uma")]


def test_the_api_answers_per_item_and_gives_admins_the_link(world):
    body = {
        "organisation": world.organisation.pk,
        "membership_class": world.organisation.membership_classes.get().pk,
        "people": [
            {"email": "vic@river.test", "name": "Vic", "circles": ["finance"]},
            {"email": "bad"},
            {"email": "wen@river.test", "membership_class": "Nobody"},
        ],
    }

    response = api(world.alice).post("/api/v1/invitations/bulk/", body, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["invited"], data["refused"]) == (1, 2)
    vic, bad, wen = data["results"]
    assert vic["status"] == "invited" and vic["link"].startswith("http://") and "/invitations/" in vic["link"]
    assert Invitation.objects.get(pk=vic["invitation"]).circle == world.finance
    assert bad["status"] == "error" and bad["errors"] == ["“bad” is not an email address."]
    assert wen["errors"] == ["No membership class called “Nobody”."]


def test_the_api_dry_run_sends_nothing_and_a_steward_gets_no_links(world):
    body = {
        "organisation": world.organisation.pk,
        "membership_class": world.organisation.membership_classes.get().pk,
        "people": [{"email": "xan@river.test", "circles": ["Finance"]}],
    }
    dry = api(world.steve).post("/api/v1/invitations/bulk/", {**body, "dry_run": True}, format="json")
    assert dry.json()["results"][0]["status"] == "ok" and not Invitation.objects.exists()

    sent = api(world.steve).post("/api/v1/invitations/bulk/", body, format="json")

    assert sent.json()["results"][0]["status"] == "invited" and sent.json()["results"][0]["link"] == ""


def test_the_api_takes_at_most_500_people(world):
    body = {
        "organisation": world.organisation.pk,
        "membership_class": world.organisation.membership_classes.get().pk,
        "people": [{"email": f"p{i}@river.test"} for i in range(501)],
    }

    response = api(world.alice).post("/api/v1/invitations/bulk/", body, format="json")

    assert response.status_code == 400 and "people" in response.json()
    assert not Invitation.objects.exists()


def test_an_admin_adds_someone_with_an_account_directly(world):
    yara = UserFactory(email="yara@river.test")
    body = {
        "organisation": world.organisation.pk,
        "membership_class": world.organisation.membership_classes.get().pk,
        "add_existing": True,
        "people": [{"email": "yara@river.test", "circles": ["Finance"]}, {"email": "zed@river.test"}],
    }

    response = api(world.alice).post("/api/v1/invitations/bulk/", body, format="json")

    yara_line, zed_line = response.json()["results"]
    assert yara_line["status"] == "added" and zed_line["status"] == "invited"
    member = Member.objects.get(organisation=world.organisation, user=yara)
    assert CircleMembership.objects.current().filter(member=member, circle=world.finance).exists()
    assert not Invitation.objects.filter(email="yara@river.test").exists()


def test_a_steward_may_not_add_directly(world):
    body = {
        "organisation": world.organisation.pk,
        "membership_class": world.organisation.membership_classes.get().pk,
        "add_existing": True,
        "people": [{"email": "oscar@outside.test", "circles": ["Finance"]}],
    }

    response = api(world.steve).post("/api/v1/invitations/bulk/", body, format="json")

    assert response.status_code == 403 and "Only an admin" in str(response.json())


def test_the_direct_add_endpoint(world):
    body = {
        "organisation": world.organisation.pk,
        "email": "oscar@outside.test",
        "membership_class": world.organisation.membership_classes.get().pk,
        "circles": [world.outreach.pk],
    }

    added = api(world.alice).post("/api/v1/invitations/add-member/", body, format="json")
    again = api(world.alice).post("/api/v1/invitations/add-member/", body, format="json")
    nobody = api(world.alice).post("/api/v1/invitations/add-member/", {**body, "email": "no@one.test"}, format="json")

    assert added.status_code == 201 and added.json()["email"] == "oscar@outside.test"
    assert [c["name"] for c in added.json()["circles"]] == ["Outreach"]
    assert again.status_code == 409
    assert nobody.status_code == 400 and "invite them instead" in str(nobody.json())
