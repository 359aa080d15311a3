from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from governance import views as core_views

from . import views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
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
    path("", include("governance.web_urls")),
    path("", include("governance.integrations.urls")),
    path("", include("circles.urls")),
    path("", include("proposals.urls")),
    path("", include("roles.urls")),
    path("", include("elections.urls")),
    path("", include("meetings.urls")),
    path("", include("money.urls")),
]

# 404s under /api/ answer JSON, like the rest of the API.
handler404 = "governance.api.exceptions.not_found"
