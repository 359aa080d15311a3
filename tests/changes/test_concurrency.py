"""On PostgreSQL: two decisions that change the same circles, closing at the same moment, apply one
after the other, and the second is checked against what the first did."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from circles.models import Circle
from proposals.models import Proposal
from proposals.services import proposal_close
from tests.changes.helpers import amend_data, opened
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL.")


def _due(*proposals):
    past = timezone.now() - timedelta(minutes=1)
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(closes_at=past)


def test_two_moves_that_together_would_make_a_loop_apply_one_after_the_other(world):
    alice = world.member(world.alice)
    one = opened(world.general, alice, ("circle.move", {"circle": world.outreach.pk, "parent": world.finance.pk}))
    two = opened(world.general, alice, ("circle.move", {"circle": world.finance.pk, "parent": world.outreach.pk}))
    _due(one, two)
    assert run_together(2, lambda i: proposal_close(proposal_id=(one, two)[i].pk)) == [True, True]
    results = sorted(Proposal.objects.filter(pk__in=[one.pk, two.pk]), key=lambda p: p.enacted)
    assert [p.enacted for p in results] == [False, True]
    assert "cannot sit inside itself" in results[0].enactment_error
    finance, outreach = Circle.objects.get(pk=world.finance.pk), Circle.objects.get(pk=world.outreach.pk)
    # One of them moved under the other, which stayed under the general circle: no loop.
    assert sorted([finance.parent_id, outreach.parent_id]) in (
        sorted([world.general.pk, finance.pk]),
        sorted([world.general.pk, outreach.pk]),
    )


def test_an_amendment_and_an_archive_of_one_circle_closing_at_once(world):
    alice = world.member(world.alice)
    amend = opened(world.general, alice, ("circle.amend", amend_data(world.finance, purpose="Count the beans.")))
    archive = opened(world.general, alice, ("circle.archive", {"circle": world.finance.pk, "reason": "Merged"}))
    _due(amend, archive)
    run_together(2, lambda i: proposal_close(proposal_id=(amend, archive)[i].pk))
    amend.refresh_from_db()
    archive.refresh_from_db()
    finance = Circle.objects.get(pk=world.finance.pk)
    assert archive.enacted is True and finance.is_archived
    if amend.enacted:  # it applied first: the archive came after it, on the amended circle
        assert finance.purpose == "Count the beans."
    else:  # the archive applied first: the amendment, checked after it, found the circle archived
        assert amend.enactment_error == "Amend the circle “Finance”: “Finance” is archived."
        assert finance.purpose == ""
