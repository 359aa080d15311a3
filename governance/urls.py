from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("governance.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("governance.web_urls")),
    path("", include("governance.integrations.urls")),
    path("", include("circles.urls")),
    path("", include("proposals.urls")),
    path("", include("roles.urls")),
    path("", include("meetings.urls")),
]

# 404s under /api/ answer JSON, like the rest of the API.
handler404 = "governance.api.exceptions.not_found"
