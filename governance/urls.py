from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("governance.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script from ?script rather than inline, for the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html"),
        name="api-docs",
    ),
    path("", include("governance.web_urls")),
    path("", include("governance.integrations.urls")),
    path("", include("circles.urls")),
    path("", include("proposals.urls")),
    path("", include("roles.urls")),
    path("", include("elections.urls")),
    path("", include("meetings.urls")),
]

# 404s under /api/ answer JSON, like the rest of the API.
handler404 = "governance.api.exceptions.not_found"
