"""The benchmark's configuration: the project's settings as they are, plus the floor endpoints
(bench.urls), which exist only here."""

from project.settings import *  # noqa: F403
from project.settings import VAR_DIR

ROOT_URLCONF = "bench.urls"
# collectstatic for DEBUG-off serving goes beside the other benchmark files, not into the project.
STATIC_ROOT = VAR_DIR / "bench" / "static"
