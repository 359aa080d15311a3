from django.urls import path

from . import views
from .models import Spending

app_name = "money"

urlpatterns = [
    path("o/<slug:org>/money/", views.money_home, name="home"),
    path("o/<slug:org>/money/funds/new/", views.fund_new, name="fund_new"),
    path("o/<slug:org>/money/funds/<int:pk>/", views.fund_detail, name="fund"),
    path("o/<slug:org>/money/funds/<int:pk>/income/", views.income_record, name="income"),
    path("o/<slug:org>/money/entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("o/<slug:org>/money/budgets/<int:pk>/", views.budget_detail, name="budget"),
    path("o/<slug:org>/money/budgets/<int:pk>/spend/", views.spending_new, name="spending_new"),
    path(
        "o/<slug:org>/money/budgets/<int:pk>/claim/",
        views.spending_new,
        {"kind": Spending.Kind.CLAIM},
        name="claim_new",
    ),
    path("o/<slug:org>/money/spending/<int:pk>/", views.spending_detail, name="spending"),
    path("o/<slug:org>/money/spending/<int:pk>/propose/", views.spending_propose, name="spending_propose"),
    path("o/<slug:org>/money/spending/<int:pk>/attach/", views.attachment_add, name="attachment_add"),
    path("o/<slug:org>/money/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("o/<slug:org>/money/commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("o/<slug:org>/money/commitments/<int:pk>/pay/", views.payment_record, name="payment"),
    path("o/<slug:org>/money/commitments/<int:pk>/return/", views.commitment_return, name="commitment_return"),
    path("o/<slug:org>/money/rounds/new/", views.round_new, name="round_new"),
    path("o/<slug:org>/money/rounds/<int:pk>/", views.round_detail, name="round"),
    path("o/<slug:org>/money/rounds/<int:pk>/buckets/", views.bucket_new, name="bucket_new"),
    path("o/<slug:org>/money/buckets/<int:pk>/allocate/", views.allocation_set, name="allocate"),
    path("o/<slug:org>/money/reports/", views.reports, name="reports"),
    path("o/<slug:org>/money/reports/<slug:which>.csv", views.report_csv, name="report_csv"),
]
