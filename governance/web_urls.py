from django.urls import path

from . import views

# The organisation pages that are the core's alone; those that show circles or roles too are in
# project.urls, at paths of the same family.
urlpatterns = [
    path("o/<slug:org>/settings/", views.organisation_settings, name="organisation_settings"),
    path("o/<slug:org>/settings/classes/add/", views.membership_class_add, name="membership_class_add"),
    path("o/<slug:org>/settings/classes/<int:pk>/", views.membership_class_edit, name="membership_class_edit"),
    path("o/<slug:org>/members/<int:pk>/update/", views.member_update, name="member_update"),
    path("o/<slug:org>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("o/<slug:org>/inbox/", views.inbox, name="inbox"),
    path("o/<slug:org>/inbox/count/", views.inbox_count, name="inbox_count"),
    path("o/<slug:org>/notifications/", views.notification_preferences, name="notification_preferences"),
    path("language/", views.language_choose, name="language"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
