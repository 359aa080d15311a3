from django.urls import path

from . import change_views, views

urlpatterns = [
    path("o/<slug:org>/c/<slug:circle>/proposals/", views.circle_proposals, name="circle-proposals"),
    path("o/<slug:org>/c/<slug:circle>/proposals/new/", views.proposal_new, name="proposal-new"),
    path("o/<slug:org>/waiting/", views.waiting, name="waiting"),
    path("o/<slug:org>/decisions/", views.decision_log, name="decision-log"),
    path("o/<slug:org>/p/<int:pk>/", views.proposal_detail, name="proposal"),
    path("o/<slug:org>/p/<int:pk>/edit/", views.proposal_edit, name="proposal-edit"),
    path("o/<slug:org>/p/<int:pk>/open/", views.proposal_open, name="proposal-open"),
    path("o/<slug:org>/p/<int:pk>/position/", views.position_record, name="position-record"),
    path("o/<slug:org>/p/<int:pk>/proxy-position/", views.proxy_position_record, name="proxy-position-record"),
    path("o/<slug:org>/proxies/", views.proxies, name="proxies"),
    path("o/<slug:org>/proxies/<int:pk>/revoke/", views.proxy_revoke, name="proxy-revoke"),
    path("o/<slug:org>/p/<int:pk>/objection/withdraw/", views.objection_withdraw, name="objection-withdraw"),
    path("o/<slug:org>/p/<int:pk>/amend/", views.proposal_amend, name="proposal-amend"),
    path("o/<slug:org>/p/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal-withdraw"),
    path("o/<slug:org>/p/<int:pk>/outcome/", views.outcome_write, name="outcome-write"),
    path("o/<slug:org>/p/<int:pk>/comments/", views.comment_add, name="comment-add"),
    path("o/<slug:org>/p/<int:pk>/versions/", views.proposal_versions, name="proposal-versions"),
    path("o/<slug:org>/p/<int:pk>/changes/new/", change_views.change_new, name="change-new"),
    path("o/<slug:org>/p/<int:pk>/changes/<int:change>/", change_views.change_edit, name="change-edit"),
    path("o/<slug:org>/p/<int:pk>/changes/<int:change>/remove/", change_views.change_remove, name="change-remove"),
    path("o/<slug:org>/p/<int:pk>/reopen/", change_views.proposal_reopen, name="proposal-reopen"),
    path("o/<slug:org>/c/<slug:circle>/propose/", change_views.propose, name="propose-change"),
]
