from django.urls import path

from . import views

urlpatterns = [
    path("o/<slug:org>/", views.organisation_home, name="organisation"),
    path("o/<slug:org>/settings/", views.organisation_settings, name="organisation_settings"),
    path("o/<slug:org>/settings/classes/add/", views.membership_class_add, name="membership_class_add"),
    path("o/<slug:org>/settings/classes/<int:pk>/", views.membership_class_edit, name="membership_class_edit"),
    path("o/<slug:org>/members/", views.member_list, name="members"),
    path("o/<slug:org>/members/<int:pk>/", views.member_profile, name="member"),
    path("o/<slug:org>/members/<int:pk>/update/", views.member_update, name="member_update"),
    path("o/<slug:org>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("o/<slug:org>/invitations/", views.invitation_list, name="invitations"),
    path("o/<slug:org>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
