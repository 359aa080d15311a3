"""The inbox source: the payments a treasurer must record, in constant queries."""

import pytest
from django.utils import timezone

from governance.inbox import inbox_sources
from governance.prepared import statement_sql
from money import services
from money.inbox import payments_to_record
from tests.factories import give_role, make_member


def commit(world, money):
    spending = services.spending_create(
        budget=money.budget, by=world.member(world.mia), title="Server", amount="10.00", purpose="p", payee_name="P"
    )
    return services.spending_commit(spending=spending, by=None)


def test_it_is_registered():
    assert payments_to_record in inbox_sources.receivers


def test_the_treasurer_of_the_circle_and_of_the_general_circle_are_asked_to_record_it(world, money):
    commitment = commit(world, money)
    tess = world.member(money.treasurer)
    general_treasurer = make_member(world.organisation)
    give_role(world.general, general_treasurer, "treasurer")
    for member in (tess, general_treasurer):
        (entry,) = payments_to_record(member, timezone.now())
        assert entry.kind == "money.payment" and entry.object_id == commitment.pk and entry.circle == "Finance"
    assert payments_to_record(world.member(world.steve), timezone.now()) == []


def test_a_settled_commitment_leaves_the_inbox(world, money):
    commitment = commit(world, money)
    services.payment_record(commitment=commitment, amount="10.00", by=None, reference="R")
    assert payments_to_record(world.member(money.treasurer), timezone.now()) == []


@pytest.mark.parametrize("n", [1, 8])
def test_it_costs_the_same_however_many_payments_wait(world, money, django_assert_max_num_queries, n):
    for _ in range(n):
        commit(world, money)
    tess = world.member(money.treasurer)
    assert tess.organisation  # as the request's member has it: loaded with the memberships
    # The treasurer's seats, then the commitments of their circles.
    with django_assert_max_num_queries(2):
        assert len(payments_to_record(tess, timezone.now())) == n


@pytest.mark.parametrize("n", [1, 8])
def test_a_member_who_treasures_nothing_costs_one_small_query(world, money, django_assert_num_queries, n):
    for _ in range(n):
        commit(world, money)
    steve = world.member(world.steve)
    assert steve.organisation
    with django_assert_num_queries(1) as captured:
        assert payments_to_record(steve, timezone.now()) == []
    sql = statement_sql(captured.captured_queries[0]["sql"])  # a prepared statement's own SQL
    assert "roles_roleassignment" in sql and "money_commitment" not in sql
