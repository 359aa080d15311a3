"""The demo co-op's money: every state of spending, a claim, a round with buckets; twice adds nothing."""

from money.models import Bucket, Budget, Entry, Fund, Round, Spending
from money.queries import spending_status
from project.demo import load_demo


def test_the_demo_has_money_in_every_state_and_loads_twice(db):
    organisation = load_demo()
    entries = Entry.objects.count()
    load_demo()
    assert Entry.objects.count() == entries
    fund = Fund.objects.get(organisation=organisation)
    assert fund.currency == "EUR" and Budget.objects.filter(fund=fund, round__isnull=True).count() == 3
    states = {spending_status(s)[0] for s in Spending.objects.select_related("proposal")}
    assert states >= {"draft", "proposed", "committed", "paid", "returned", "not_enacted", "rejected"}
    assert Spending.objects.filter(kind="claim", state="committed").exists()
    assert Spending.objects.filter(installments=6).exists()
    assert Round.objects.filter(organisation=organisation).count() == 1 and Bucket.objects.count() == 2
    video = Spending.objects.get(title="Video series")
    assert "the budget has €1,000.00 left" in spending_status(video)[1]
