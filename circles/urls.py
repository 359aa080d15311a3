from django.urls import path

from . import policy_views, views

urlpatterns = [
    path("o/<slug:org>/circles/new/", views.circle_new, name="circle_new"),
    path("o/<slug:org>/c/<slug:circle>/", views.circle_detail, name="circle"),
    path("o/<slug:org>/c/<slug:circle>/edit/", views.circle_edit, name="circle_edit"),
    path("o/<slug:org>/c/<slug:circle>/record/", views.circle_record, name="circle-record"),
    path("o/<slug:org>/c/<slug:circle>/archive/", views.circle_archive, name="circle_archive"),
    path("o/<slug:org>/c/<slug:circle>/restore/", views.circle_restore, name="circle_restore"),
    path("o/<slug:org>/c/<slug:circle>/roster/", views.roster_manage, name="roster"),
    path("o/<slug:org>/c/<slug:circle>/roster/add/", views.roster_add, name="roster_add"),
    path("o/<slug:org>/c/<slug:circle>/roster/<int:pk>/remove/", views.roster_remove, name="roster_remove"),
    path("o/<slug:org>/c/<slug:circle>/policy/", policy_views.circle_policy, name="circle_policy"),
    path("o/<slug:org>/c/<slug:circle>/working-group/", policy_views.working_group_end, name="working_group_end"),
]
