"""Holder and grantor responding at the same instant, on PostgreSQL: one current position."""

import pytest
from django.db import connection

from governance.errors import Conflict
from proposals.models import Position, Proxy
from proposals.proxies import proxy_give
from proposals.queries import tally_recount
from proposals.services import position_record
from tests.concurrency import run_together
from tests.factories import make_proposal

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"),
]


@pytest.mark.parametrize("attempt", range(3))
def test_holder_and_grantor_at_once_give_one_current_position(world, voters, attempt):
    wes, mia = voters["wes"], world.member(world.mia)
    proposal = make_proposal(world.finance, voters["ann"])
    proxy_give(grantor=wes, holder=mia, circle=world.finance)

    def respond(i):
        if i == 0:
            return position_record(proposal=proposal, member=wes, kind="consent")
        return position_record(proposal=proposal, member=wes, by=mia, kind="objection", reason="For Wes")

    results = run_together(2, respond)
    current = Position.objects.get(proposal=proposal, member=wes, is_current=True)
    # Whoever came second: the grantor overrides the holder, or the holder is refused.
    assert current.by_proxy is None and current.kind == "consent"
    assert all(not isinstance(r, Exception) or isinstance(r, Conflict) for r in results)
    proposal.refresh_from_db()
    assert proposal.tally == tally_recount(proposal) == {"consent": [1, 1]}


def test_two_grants_to_one_holder_at_once_respect_the_limit(world, voters):
    mia = world.member(world.mia)
    grantors = [voters["wes"], voters["vic"]]
    results = run_together(2, lambda i: proxy_give(grantor=grantors[i], holder=mia, circle=world.finance))
    assert sum(isinstance(r, Proxy) for r in results) == 1
    assert Proxy.objects.filter(holder=mia, revoked_at__isnull=True).count() == 1
