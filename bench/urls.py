"""The project's URLs and, in front of them, the two floors the benchmark compares against."""

from django.urls import path

from project.urls import urlpatterns as project_urlpatterns

from . import floors

urlpatterns = [
    path("bench/floor/ok/", floors.ok, name="bench-floor-ok"),
    path("bench/floor/drf/", floors.ProposalFloor.as_view(), name="bench-floor-drf"),
    *project_urlpatterns,
]
