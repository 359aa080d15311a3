from django.urls import path

from . import views

urlpatterns = [
    path("o/<slug:org>/roles/<int:pk>/election/new/", views.election_new, name="election-new"),
    path("o/<slug:org>/elections/<int:pk>/", views.election_detail, name="election"),
    path("o/<slug:org>/elections/<int:pk>/nominate/", views.nomination_add, name="election-nominate"),
    path("o/<slug:org>/elections/<int:pk>/answer/", views.nomination_answer, name="election-answer"),
    path("o/<slug:org>/elections/<int:pk>/propose/", views.election_propose, name="election-propose"),
    path("o/<slug:org>/elections/<int:pk>/stand/", views.candidacy_add, name="election-stand"),
    path("o/<slug:org>/elections/<int:pk>/vote/", views.ballot_cast, name="election-vote"),
    path("o/<slug:org>/elections/<int:pk>/council/", views.election_council, name="election-council"),
    path("o/<slug:org>/elections/<int:pk>/cancel/", views.election_cancel, name="election-cancel"),
    path("o/<slug:org>/elections/<int:pk>/results.csv", views.election_results_csv, name="election-results-csv"),
]
