"""The reports every allowed member is shown alike (the money by category CSV, the health dashboard)
come from the response cache, and a write through the services is in the next one."""

import csv
import io
from datetime import timedelta

from governance import response_cache
from governance.models import Member
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


def _load_table_rows(response) -> int:
    return response.content.decode().count('<td data-label="Member">')


def test_the_health_page_from_the_cache_holds_no_row_per_person(world, as_user):
    # The load's rows (a dict per person) are only for the load table, itself a cached part: a page
    # served from the cache does not read them, so its worker does not hold them until the next
    # garbage collection.
    client = as_user(world.alice)
    url = f"/o/{world.organisation.slug}/health/"
    people = Member.objects.people().filter(organisation=world.organisation).count()
    first = client.get(url)
    assert _load_table_rows(first) == people
    again = client.get(url)
    assert "load" not in again.context["figures"]
    assert _load_table_rows(again) == people


def test_the_load_table_is_counted_again_when_its_part_is_not_in_the_cache(world, as_user, monkeypatch):
    client = as_user(world.alice)
    url = f"/o/{world.organisation.slug}/health/"
    people = Member.objects.people().filter(organisation=world.organisation).count()
    assert _load_table_rows(client.get(url)) == people  # the figures are in the cache now
    found = response_cache.get
    monkeypatch.setattr(response_cache, "get", lambda key: None if ":part:health-load:" in key else found(key))
    again = client.get(url)
    assert "load" not in again.context["figures"]  # the figures came from the cache
    assert _load_table_rows(again) == people
