"""The benchmark counts SQL queries per measured request, for the same kind of member at two sizes,
and every measured page and list must cost the same number at both."""

import pytest
from django.test import Client

from bench import probe
from bench.endpoints import ENDPOINTS
from project.seed import Size, seed_cooperative

pytestmark = pytest.mark.urls("bench.urls")

SMALL = Size(
    members=60,
    circles=6,
    roles=12,
    proposals=60,
    open_proposals=12,
    positions=900,
    big_proposal_positions=240,
    comments=80,
)


def test_it_counts_the_queries_of_one_request(db):
    seed_cooperative(slug="bench", size=SMALL)
    client = Client()
    assert probe.count_queries(client, "GET", "/bench/floor/ok/") == (200, 0)
    assert probe.count_queries(client, "GET", "/bench/floor/drf/") == (200, 1)


def test_every_measured_request_costs_the_same_number_of_queries_at_twice_the_size(db):
    seed_cooperative(slug="bench", size=SMALL.scaled(0.5))
    seed_cooperative(slug="bench2", size=SMALL)
    small, large = probe.queries("bench"), probe.queries("bench2")
    assert set(small["counts"]) == {endpoint.key for endpoint in ENDPOINTS}
    assert small["counts"] == large["counts"]
    assert small["counts"]["floor-ok"] == 0 and small["counts"]["floor-drf"] == 1


def test_the_counted_member_is_an_ordinary_member_with_rounds_waiting(db):
    seed_cooperative(slug="bench", size=SMALL)
    member = probe.subject("bench")
    assert not member.is_admin
    assert probe.context("bench")["slug"] == "bench"
