"""The benchmark's floor endpoints: the bare framework, only in the benchmark configuration."""

import pytest
from django.urls import NoReverseMatch, reverse

from project.seed import Size, seed_cooperative

TINY = Size(
    members=12, circles=3, roles=3, proposals=60, open_proposals=5, positions=120, big_proposal_positions=12, comments=5
)


@pytest.mark.urls("bench.urls")
def test_the_ok_floor_answers_plain_ok_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/bench/floor/ok/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.urls("bench.urls")
def test_the_drf_floor_lists_fifty_proposals_to_anyone_in_one_query(client, db, django_assert_num_queries):
    seed_cooperative(slug="floor", size=TINY)
    with django_assert_num_queries(1):
        response = client.get("/bench/floor/drf/")
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list) and len(rows) == 50
    # A plain ModelSerializer: every field of the model, related rows as ids.
    assert {"id", "title", "body", "tally", "state", "circle", "author", "organisation"} <= set(rows[0])
    assert isinstance(rows[0]["author"], int)


@pytest.mark.urls("bench.urls")
def test_the_benchmark_configuration_still_serves_the_project(client, db):
    assert client.get("/healthz/").status_code == 200


def test_the_floors_do_not_exist_in_the_project_itself(client, db):
    assert client.get("/bench/floor/ok/").status_code == 404
    assert client.get("/bench/floor/drf/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("bench-floor-ok")
