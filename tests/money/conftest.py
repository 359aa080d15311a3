"""Money on top of the shared personas: a collective fund with income, a budget for Finance (given by
the general circle) with an approval limit, a pot for Outreach, and Mia as Finance's treasurer."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from governance.changes import ChangeContext
from money import services
from money.changes import budget_allocate_kind
from money.models import Budget, Category, Fund
from tests.factories import give_role, make_member


@dataclass
class Money:
    fund: Fund
    budget: Budget
    pot: Budget
    hosting: Category
    treasurer: object  # a User: Tess, the Finance circle's treasurer


def period():
    today = timezone.localdate()
    return today - timedelta(days=30), today + timedelta(days=60)


def allocate(world, circle, *, fund, amount, name="Operations", limit=None, is_pot=False, categories=()):
    ctx = ChangeContext(
        organisation=world.organisation,
        circle=circle.parent or circle,
        actor=world.member(world.alice),
        proposal_id=None,
        override_reason="test",
    )
    start, end = period()
    data = budget_allocate_kind.clean(
        ctx,
        {
            "fund": fund.pk,
            "circle": circle.pk,
            "name": name,
            "period_start": start,
            "period_end": end,
            "amount": amount,
            "approval_limit": limit,
            "is_pot": is_pot,
            "categories": list(categories),
        },
    )
    (budget,) = budget_allocate_kind.apply(ctx, data)
    return budget


def make_money(world) -> Money:
    alice = world.member(world.alice)
    fund = services.fund_create(organisation=world.organisation, name="Collective fund", currency="EUR", by=alice)
    services.income_record(fund=fund, amount="10000.00", by=alice, reference="Sales Q1")
    budget = allocate(world, world.finance, fund=fund, amount="2000.00", limit="500.00", categories=["Hosting"])
    pot = allocate(world, world.outreach, fund=fund, amount="1000.00", name="Activities pot", is_pot=True)
    tess = make_member(world.organisation, circles=[world.finance])
    give_role(world.finance, tess, "treasurer")
    return Money(
        fund=fund,
        budget=budget,
        pot=pot,
        hosting=Category.objects.get(organisation=world.organisation, name="Hosting"),
        treasurer=tess.user,
    )


@pytest.fixture
def money(world) -> Money:
    return make_money(world)
