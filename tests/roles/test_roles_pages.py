"""The role and election pages: the permission grid (member, steward, facilitator, admin, outsider)
with what each action does to the database, refusals explained on the form with the typed values
kept, countdowns in the organisation's time zone, and query counts that do not grow with the data."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles.services import roster_add
from elections.services import election_open, nomination_add
from roles.models import Election, Nomination, Role, RoleAssignment
from roles.services import role_assign
from tests.factories import UserFactory, make_circle, make_facilitator, make_member, make_role

UTC = zoneinfo.ZoneInfo("UTC")


@pytest.fixture
def fran(world):
    """Fran facilitates Finance."""
    member = make_member(world.organisation, user=UserFactory(email="fran@acme.test", name="Fran Facilitator"))
    make_facilitator(world.finance, member)
    return member.user


@pytest.fixture
def treasurer(world):
    return make_role(world.finance, "Bookkeeper", term_months=6, selection="elected")


@pytest.fixture
def people(world, fran):
    return {
        "member": world.mia,
        "steward": world.steve,
        "facilitator": fran,
        "admin": world.alice,
        "outsider": world.oscar,
        "other_org": world.olga,
    }


def url(name, **kwargs):
    return reverse(name, kwargs={"org": "acme", **kwargs})


# Reading ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 200), ("steward", 200), ("facilitator", 200), ("admin", 200), ("outsider", 404), ("other_org", 404)],
)
def test_who_may_read_the_role_pages(people, treasurer, as_user, persona, status):
    election = election_open(role=treasurer, by=None)
    client = as_user(people[persona])

    for path in (
        url("roles"),
        url("my-roles"),
        url("role-load"),
        url("role", pk=treasurer.pk),
        url("election", pk=election.pk),
    ):
        assert client.get(path).status_code == status, path


def test_anonymous_visitors_are_sent_to_log_in(client, treasurer):
    response = client.get(url("role", pk=treasurer.pk))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Defining and assigning ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 403), ("steward", 302), ("facilitator", 403), ("admin", 302), ("outsider", 404)],
)
def test_who_may_define_a_role_in_a_circle(world, people, as_user, persona, status):
    response = as_user(people[persona]).post(
        url("role-new", circle="finance"),
        {"name": "Scribe", "seats": 1, "term_months": 6, "time_period": "week", "selection": "appointed"}
        | {"election_method": "sociocratic"},
    )

    assert response.status_code == status
    assert Role.objects.filter(circle=world.finance, name="Scribe").exists() == (status == 302)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 403), ("steward", 302), ("facilitator", 403), ("admin", 302), ("outsider", 404)],
)
def test_who_may_assign_a_role(world, people, treasurer, as_user, persona, status):
    mia = world.member(world.mia)

    response = as_user(people[persona]).post(url("role-assign", pk=treasurer.pk), {"member": mia.pk})

    assert response.status_code == status
    assert RoleAssignment.objects.current().filter(role=treasurer, member=mia).exists() == (status == 302)


def test_only_admins_assign_the_steward_role(world, as_user):
    steward_role = Role.objects.get(circle=world.finance, kind="steward")
    mia = world.member(world.mia)

    assert as_user(world.steve).post(url("role-assign", pk=steward_role.pk), {"member": mia.pk}).status_code == 403
    assert as_user(world.alice).post(url("role-assign", pk=steward_role.pk), {"member": mia.pk}).status_code == 302
    assert RoleAssignment.objects.current().get(role=steward_role).member == mia


def test_a_refused_assignment_is_explained_on_the_form(world, treasurer, as_user):
    role_assign(role=treasurer, member=world.member(world.mia), by=None)
    roster_add(circle=world.finance, member=world.member(world.nora), by=None)

    response = as_user(world.steve).post(url("role-assign", pk=treasurer.pk), {"member": world.member(world.nora).pk})

    assert response.status_code == 200
    assert "All 1 seat(s) of Bookkeeper are taken until" in response.content.decode()
    assert not RoleAssignment.objects.filter(role=treasurer, member__user=world.nora).exists()


def test_a_bad_definition_keeps_what_was_typed(world, as_user):
    response = as_user(world.steve).post(
        url("role-new", circle="finance"),
        {
            "name": "Scribe",
            "purpose": "Writes things down.",
            "seats": 1,
            "time_period": "week",
            "selection": "elected",
            "election_method": "sociocratic",
            "auto_renew": "on",
            "term_months": 6,
        },
    )

    page = response.content.decode()
    assert response.status_code == 200 and "not renewed automatically" in page
    assert 'value="Scribe"' in page and "Writes things down." in page
    assert not Role.objects.filter(name="Scribe").exists()


def test_the_holder_steps_down_and_others_may_not_end_their_term(world, treasurer, as_user):
    assignment = role_assign(role=treasurer, member=world.member(world.mia), by=None)
    nora_client = as_user(world.nora)
    assert nora_client.post(url("assignment-end", pk=assignment.pk), {"reason": "removed"}).status_code == 403

    response = as_user(world.mia).post(
        url("assignment-end", pk=assignment.pk), {"reason": "resigned", "note": "Moving"}
    )

    assignment.refresh_from_db()
    assert response.status_code == 302 and assignment.end_reason == "resigned" and assignment.end_note == "Moving"


def test_the_steward_renews_an_appointed_term_from_the_role_page(world, as_user):
    role = make_role(world.finance, "Scribe", term_months=6)
    assignment = role_assign(role=role, member=world.member(world.mia), by=None)

    assert as_user(world.mia).post(url("assignment-renew", pk=assignment.pk)).status_code == 403
    response = as_user(world.steve).post(url("assignment-renew", pk=assignment.pk), follow=True)

    assert "Renewed: Mia Member" in response.content.decode()
    assert RoleAssignment.objects.open().filter(role=role, member__user=world.mia).count() == 2


def test_only_admins_change_the_core_roles_template(world, as_user):
    assert as_user(world.steve).get(url("role-template")).status_code == 403

    response = as_user(world.alice).post(
        url("role-template"),
        {"kind": "secretary", "name": "Scribe", "time_period": "week", "selection": "appointed", "term_months": 6}
        | {"election_method": "sociocratic"},
    )

    assert response.status_code == 302
    assert Role.objects.get(circle=make_circle(world.organisation, "Events"), kind="secretary").name == "Scribe"


# Elections -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 403), ("steward", 302), ("facilitator", 302), ("admin", 302), ("outsider", 404)],
)
def test_who_may_start_an_election(people, treasurer, as_user, persona, status):
    response = as_user(people[persona]).post(url("election-new", pk=treasurer.pk), {"method": "sociocratic"})

    assert response.status_code == status
    assert Election.objects.filter(role=treasurer).exists() == (status == 302)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 302), ("steward", 302), ("facilitator", 302), ("admin", 403), ("outsider", 404)],
)
def test_who_may_nominate_the_circles_members(world, people, treasurer, as_user, persona, status):
    election = election_open(role=treasurer, by=None)

    response = as_user(people[persona]).post(
        url("election-nominate", pk=election.pk), {"nominee": world.member(world.mia).pk, "reason": "Reliable."}
    )

    assert response.status_code == status
    assert Nomination.objects.filter(election=election).exists() == (status == 302)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 403), ("steward", 403), ("facilitator", 302), ("admin", 302), ("outsider", 404)],
)
def test_who_may_propose_the_candidate(world, people, treasurer, as_user, persona, status):
    election = election_open(role=treasurer, by=None)
    mia = world.member(world.mia)
    nomination_add(election=election, nominee=mia, by=mia, reason="I would like to.")

    response = as_user(people[persona]).post(
        url("election-propose", pk=election.pk), {"candidate": mia.pk, "round_days": 7}
    )

    election.refresh_from_db()
    assert response.status_code == status
    assert (election.state == "consent") == (status == 302)


def test_the_steward_proposes_when_the_circle_has_no_facilitator(world, treasurer, as_user):
    election = election_open(role=treasurer, by=None)
    mia = world.member(world.mia)
    nomination_add(election=election, nominee=mia, by=mia, reason="I would like to.")

    response = as_user(world.steve).post(
        url("election-propose", pk=election.pk), {"candidate": mia.pk, "round_days": 7}
    )

    assert response.status_code == 302 and Election.objects.get(pk=election.pk).state == "consent"


def test_a_nomination_without_a_reason_is_refused_keeping_the_choice(world, treasurer, as_user):
    election = election_open(role=treasurer, by=None)

    response = as_user(world.mia).post(
        url("election-nominate", pk=election.pk), {"nominee": world.member(world.mia).pk}
    )

    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert f'value="{world.member(world.mia).pk}" selected' in response.content.decode()


# What people see -----------------------------------------------------------------------------------


def test_my_roles_counts_down_in_the_organisations_time_zone(world, treasurer, as_user, time_machine):
    world.organisation.time_zone = "America/New_York"
    world.organisation.save()
    time_machine.move_to(datetime(2027, 1, 10, 12, 0, tzinfo=UTC))
    role = make_role(world.finance, "Scribe", term_months=6)
    role_assign(role=role, member=world.member(world.mia), by=None)

    page = as_user(world.mia).get(url("my-roles")).content.decode()

    # Six months from 10 January, at midnight in New York (04:00 UTC in July, daylight saving time).
    assert "Scribe" in page and '<time datetime="2027-07-10T04:00:00+00:00">10 Jul 2027</time>' in page
    assert "180 days left" in page and "America/New_York" in page


def test_the_directory_filters_vacancies_and_terms_ending_soon(world, treasurer, as_user, time_machine):
    time_machine.move_to(datetime(2027, 1, 10, 12, 0, tzinfo=UTC))
    scribe = make_role(world.finance, "Scribe", term_months=1)
    role_assign(role=scribe, member=world.member(world.mia), by=None, started_at=datetime(2027, 1, 1, tzinfo=UTC))
    client = as_user(world.mia)

    vacancies = client.get(url("roles"), {"vacancies": "on", "circle": "finance"}).content.decode()
    ending = client.get(url("roles"), {"ending_soon": "on"}).content.decode()

    assert "Bookkeeper" in vacancies and "Scribe" not in vacancies
    assert "Scribe" in ending and "Bookkeeper" not in ending


def test_the_role_load_flags_members_above_the_guidance(world, as_user):
    world.organisation.load_max_circles = 1
    world.organisation.save()
    roster_add(circle=world.outreach, member=world.member(world.mia), by=None)
    role_assign(role=make_role(world.finance, "Scribe", time_hours=3), member=world.member(world.mia), by=None)

    page = as_user(world.nora).get(url("role-load")).content.decode()

    assert "above guidance" in page and "1 member is in more circles than the guidance" in page
    row = page.split("Mia Member")[1].split("</tr>")[0]
    assert "<td>1</td>" in row and "<td>2</td>" in row and "<td>3</td>" in row


def test_the_role_page_shows_its_definition_holders_history_and_open_election(world, treasurer, as_user):
    past = role_assign(role=treasurer, member=world.member(world.steve), by=None)
    RoleAssignment.objects.filter(pk=past.pk).update(
        ended_at=past.started_at + timedelta(days=1), end_reason="resigned"
    )
    role_assign(role=treasurer, member=world.member(world.mia), by=None)
    election = election_open(role=make_role(world.finance, "Scribe", selection="elected"), by=None)

    page = as_user(world.nora).get(url("role", pk=treasurer.pk)).content.decode()
    scribe = as_user(world.nora).get(url("role", pk=election.role_id)).content.decode()

    assert "6-month terms" in page and "Mia Member" in page and "days left" in page
    assert "Who held it" in page and "Steve Steward" in page and "Resigned" in page
    assert "An election for this role is under way" in scribe


# Query counts --------------------------------------------------------------------------------------


def _grow(world, election, start, n):
    """n more members on Finance, each holding a new role with a term and nominated in the election."""
    for i in range(start, start + n):
        member = make_member(world.organisation, circles=[world.finance])
        role_assign(role=make_role(world.finance, f"Role {i}"), member=member, by=None)
        role_assign(role=make_role(world.finance, f"Mine {i}"), member=world.member(world.mia), by=None)
        nomination_add(election=election, nominee=member, by=member, reason=f"Reason {i}")


def _counts(client, paths) -> list[int]:
    counts = []
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        counts.append(len(queries))
    return counts


def test_the_pages_cost_the_same_queries_however_many_roles_terms_and_nominations(world, as_user):
    election = election_open(role=make_role(world.finance, "Board", seats=3, selection="elected"), by=None)
    client = as_user(world.mia)
    paths = [
        url("roles"),
        url("my-roles"),
        url("role-load"),
        url("role", pk=election.role_id),
        url("election", pk=election.pk),
    ]
    _grow(world, election, 0, 1)
    few = _counts(client, paths)

    _grow(world, election, 1, 15)
    many = _counts(client, paths)

    assert many == few
    assert max(many) <= 12, dict(zip(paths, many, strict=True))  # the role page reads its provenance: one query
