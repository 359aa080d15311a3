from django.urls import path

from . import public_views, views

urlpatterns = [
    path("o/<slug:org>/health/", views.health, name="record-health"),
    path("o/<slug:org>/participation/", views.participation_page, name="record-participation"),
    path("o/<slug:org>/participation/me/", views.participation_me, name="record-participation-me"),
    path("o/<slug:org>/elections/history/", views.election_history, name="record-election-history"),
    path("o/<slug:org>/search/", views.search, name="record-search"),
    path("o/<slug:org>/open-record/", views.record_settings_page, name="record-settings"),
    path("o/<slug:org>/export/", views.export_page, name="record-export"),
    path("o/<slug:org>/export/organisation.zip", views.export_organisation, name="record-export-organisation"),
    path("o/<slug:org>/export/my-data.zip", views.export_mine, name="record-export-mine"),
    path("o/<slug:org>/members/<int:pk>/erase/", views.member_erase, name="record-member-erase"),
    path("o/<slug:org>/c/<slug:circle>/summaries/", views.circle_summaries, name="record-circle-summaries"),
    path("o/<slug:org>/summaries/<int:pk>/", views.summary_detail, name="record-summary"),
    path("o/<slug:org>/summaries/<int:pk>/publish/", views.summary_publish, name="record-summary-publish"),
    path("help/size/", views.size_guidance, name="record-size-guidance"),
]

# The open record: no account needed. Every name starts with "open-" (the privacy sweep visits them all).
public_urlpatterns = [
    path("open/<slug:org>/", public_views.open_index, name="open-index"),
    path("open/<slug:org>/decisions/", public_views.open_decisions, name="open-decisions"),
    path("open/<slug:org>/decisions.atom", public_views.DecisionsFeed(), name="open-decisions-feed"),
    path("open/<slug:org>/log/", public_views.open_log, name="open-log"),
    path("open/<slug:org>/log.atom", public_views.LogFeed(), name="open-log-feed"),
    path("open/<slug:org>/roles/", public_views.open_roles, name="open-roles"),
    path("open/<slug:org>/minutes/", public_views.open_minutes, name="open-minutes"),
    path("open/<slug:org>/minutes.atom", public_views.MinutesFeed(), name="open-minutes-feed"),
    path("open/<slug:org>/minutes/<int:pk>/", public_views.open_minutes_detail, name="open-minutes-detail"),
]

urlpatterns += public_urlpatterns
