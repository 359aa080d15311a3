from django.urls import path

from . import views

urlpatterns = [
    path("o/<slug:org>/roles/", views.role_directory, name="roles"),
    path("o/<slug:org>/roles/mine/", views.my_roles, name="my-roles"),
    path("o/<slug:org>/roles/load/", views.role_load, name="role-load"),
    path("o/<slug:org>/roles/template/", views.role_template, name="role-template"),
    path("o/<slug:org>/c/<slug:circle>/roles/new/", views.role_new, name="role-new"),
    path("o/<slug:org>/c/<slug:circle>/steward/", views.steward_assign, name="steward_assign"),
    path("o/<slug:org>/roles/<int:pk>/", views.role_detail, name="role"),
    path("o/<slug:org>/roles/<int:pk>/edit/", views.role_edit, name="role-edit"),
    path("o/<slug:org>/roles/<int:pk>/assign/", views.role_assign, name="role-assign"),
    path("o/<slug:org>/roles/<int:pk>/archive/", views.role_archive, name="role-archive"),
    path("o/<slug:org>/terms/<int:pk>/end/", views.assignment_end, name="assignment-end"),
    path("o/<slug:org>/terms/<int:pk>/renew/", views.assignment_renew, name="assignment-renew"),
]
