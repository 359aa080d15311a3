from django.urls import path

from . import views

urlpatterns = [
    path("account/tokens/", views.personal_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", views.personal_token_revoke, name="api_token_revoke"),
    path("o/<slug:org>/integrations/", views.integration_tokens, name="integration_tokens"),
    path("o/<slug:org>/integrations/<int:pk>/revoke/", views.integration_token_revoke, name="integration_token_revoke"),
    path("o/<slug:org>/webhooks/", views.webhook_list, name="webhooks"),
    path("o/<slug:org>/webhooks/<int:pk>/", views.webhook_detail, name="webhook"),
    path("o/<slug:org>/webhooks/<int:pk>/secret/", views.webhook_new_secret, name="webhook_new_secret"),
    path("o/<slug:org>/webhooks/<int:pk>/enable/", views.webhook_toggle, {"action": "enable"}, name="webhook_enable"),
    path(
        "o/<slug:org>/webhooks/<int:pk>/disable/", views.webhook_toggle, {"action": "disable"}, name="webhook_disable"
    ),
    path("o/<slug:org>/webhooks/<int:pk>/remove/", views.webhook_remove, name="webhook_remove"),
    path(
        "o/<slug:org>/webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.webhook_redeliver,
        name="webhook_redeliver",
    ),
]
