from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from governance import views as core_views

from . import onboarding_views, structure_views, views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
    # Browsers and feed readers ask for /favicon.ico whatever the page says.
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("project.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script from ?script rather than inline, for the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html"),
        name="api-docs",
    ),
    # The organisation's pages that show its people with their circles and roles.
    path("o/<slug:org>/", views.organisation_home, name="organisation"),
    path("o/<slug:org>/members/", views.member_list, name="members"),
    path("o/<slug:org>/members/<int:pk>/", views.member_profile, name="member"),
    path("o/<slug:org>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("o/<slug:org>/invitations/", views.invitation_list, name="invitations"),
    path("organisations/new/", onboarding_views.organisation_new, name="organisation_start"),
    path("o/<slug:org>/invitations/bulk/", onboarding_views.bulk_onboarding, name="bulk_onboarding"),
    path("o/<slug:org>/invitations/<int:pk>/resend/", onboarding_views.invitation_resend, name="invitation_resend"),
    path(
        "o/<slug:org>/c/<slug:circle>/working-group/propose/<str:action>/",
        structure_views.working_group_propose,
        name="working_group_propose",
    ),
    path("", include("governance.web_urls")),
    path("", include("governance.integrations.urls")),
    path("", include("circles.urls")),
    path("", include("proposals.urls")),
    path("", include("roles.urls")),
    path("", include("elections.urls")),
    path("", include("meetings.urls")),
    path("", include("polls.urls")),
    path("", include("record.urls")),
    path("", include("money.urls")),
]

# 404s under /api/ answer JSON, like the rest of the API.
handler404 = "governance.api.exceptions.not_found"

handler403 = "governance.views.permission_denied"
