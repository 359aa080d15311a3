"""The reports every allowed member is shown alike (the money by category CSV, the health dashboard)
come from the response cache, and a write through the services is in the next one."""

import csv
import io
from datetime import timedelta

from money import services as money_services
from tests.factories import make_member
from tests.money.conftest import make_money


def _categories(client, world) -> list[list[str]]:
    response = client.get(f"/o/{world.organisation.slug}/money/reports/categories.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))[1:]


def test_a_payment_is_in_the_next_categories_csv(world, as_user):
    money = make_money(world)
    spending = money_services.spending_create(
        budget=money.budget, by=world.member(world.mia), title="Hosting", amount="100.00", purpose="p",
        payee_name="P", category=money.hosting,
    )  # fmt: skip
    commitment = money_services.spending_commit(spending=spending, by=None)
    client = as_user(world.nora)
    assert [row[3:] for row in _categories(client, world)] == [["1", "100.00", "0.00"]]
    assert [row[3:] for row in _categories(client, world)] == [["1", "100.00", "0.00"]]  # from the cache
    money_services.payment_record(commitment=commitment, amount="40.00", by=None, reference="Invoice 7")
    assert [row[3:] for row in _categories(client, world)] == [["1", "100.00", "40.00"]]


def test_a_new_member_is_on_the_next_health_dashboard(world, as_user):
    client = as_user(world.alice)
    url = f"/o/{world.organisation.slug}/health/"
    before = client.get(url).context["figures"]["size"]["active_members"]
    assert client.get(url).context["figures"]["size"]["active_members"] == before
    make_member(world.organisation)
    assert client.get(url).context["figures"]["size"]["active_members"] == before + 1


def test_the_health_dashboard_is_counted_again_as_the_clock_moves(world, as_user, time_machine):
    time_machine.move_to("2026-06-01 10:00:30+00:00", tick=False)
    client = as_user(world.alice)
    url = f"/o/{world.organisation.slug}/health/"
    first = client.get(url).context["figures"]["until"]
    time_machine.move_to(first + timedelta(minutes=1))
    assert client.get(url).context["figures"]["until"] > first
