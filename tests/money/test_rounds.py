"""Participatory rounds: shares fixed at the start, allocations refused after the deadline with the
scheduler stopped, and the sweep that finalises once: funded buckets committed, the rest returned."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from governance.errors import Conflict, NotAllowed
from money import services
from money.models import Bucket, Commitment, Entry, Round, Share


@pytest.fixture
def round_(world, money):
    return services.round_open(
        fund=money.fund,
        circle=world.finance,
        title="Spring round",
        pool="300.00",
        closes_at=timezone.now() + timedelta(days=7),
        by=world.member(world.alice),
    )


def test_each_member_of_the_circle_gets_an_equal_share(world, money, round_):
    shares = dict(Share.objects.filter(round=round_).values_list("member__user__email", "amount"))
    assert len(shares) == 3 and set(shares.values()) == {Decimal("100.00")}  # steve, mia, the treasurer
    money.fund.refresh_from_db()
    assert money.fund.balance.amount == Decimal("6700.00")


def test_one_cannot_allocate_more_than_ones_share_nor_past_a_buckets_maximum(world, round_):
    mia, steve = world.member(world.mia), world.member(world.steve)
    bucket = services.bucket_create(round=round_, by=mia, title="Garden", min_goal="50.00", max_goal="150.00")
    services.allocation_set(bucket=bucket, member=mia, amount="100.00")
    with pytest.raises(Conflict, match="share left"):
        services.allocation_set(
            bucket=services.bucket_create(round=round_, by=mia, title="B", min_goal="1", max_goal="500"),
            member=mia,
            amount="0.01",
        )
    with pytest.raises(Conflict, match="needs only"):
        services.allocation_set(bucket=bucket, member=steve, amount="50.01")
    services.allocation_set(bucket=bucket, member=mia, amount="40.00")  # lowering frees the share
    assert Share.objects.get(round=round_, member=mia).allocated == Decimal("40.00")
    with pytest.raises(NotAllowed):
        services.allocation_set(bucket=bucket, member=world.member(world.nora), amount="1.00")


def test_the_deadline_holds_with_the_scheduler_stopped_and_the_sweep_finalises_once(world, money, round_, time_machine):
    mia, steve = world.member(world.mia), world.member(world.steve)
    garden = services.bucket_create(round=round_, by=mia, title="Garden", min_goal="120.00", max_goal="200.00")
    choir = services.bucket_create(round=round_, by=steve, title="Choir", min_goal="90.00", max_goal="90.00")
    services.allocation_set(bucket=garden, member=mia, amount="100.00")
    services.allocation_set(bucket=garden, member=steve, amount="30.00")
    services.allocation_set(bucket=choir, member=steve, amount="50.00")  # short of its minimum

    time_machine.move_to(round_.closes_at + timedelta(seconds=1))
    with pytest.raises(Conflict, match="closed"):
        services.allocation_set(bucket=choir, member=steve, amount="70.00")  # nothing has swept yet
    with pytest.raises(Conflict):
        services.bucket_create(round=round_, by=mia, title="Late", min_goal="1", max_goal="2")

    assert services.rounds_finalise_due() == 1
    assert services.rounds_finalise_due() == 0  # a second tick finds nothing to do
    round_.refresh_from_db()
    assert round_.state == Round.State.FINALISED
    garden.refresh_from_db()
    choir.refresh_from_db()
    assert (garden.state, choir.state) == (Bucket.State.FUNDED, Bucket.State.UNFUNDED)
    assert Commitment.objects.get(bucket=garden).amount.amount == Decimal("130.00")
    assert not Commitment.objects.filter(bucket=choir).exists()
    money.fund.refresh_from_db()
    assert money.fund.balance.amount == Decimal("6870.00")  # 7000 - 300 + 170 returned
    assert Entry.objects.filter(kind="release", budget=round_.budget).count() == 1
    round_.budget.refresh_from_db()
    assert round_.budget.available.amount == 0


def test_finalising_before_the_deadline_does_nothing(world, round_):
    assert services.round_finalise(round=round_) == 0
    assert Round.objects.get(pk=round_.pk).state == Round.State.OPEN


def test_shares_weighted_by_membership_class(world, money):
    from governance.models import MembershipClass

    founders = MembershipClass.objects.create(organisation=world.organisation, name="Founders", voting_weight=3)
    mia = world.member(world.mia)
    mia.membership_class = founders
    mia.save(update_fields=["membership_class"])
    round_ = services.round_open(
        fund=money.fund, circle=world.finance, title="Weighted", pool="500.00", share_by=Round.ShareBy.CLASS,
        closes_at=timezone.now() + timedelta(days=1), by=world.member(world.alice),
    )  # fmt: skip
    shares = dict(Share.objects.filter(round=round_).values_list("member_id", "amount"))
    assert shares[mia.pk] == Decimal("300.00") and sorted(shares.values()) == [Decimal(100), Decimal(100), Decimal(300)]
