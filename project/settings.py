"""Settings for the governance platform, read from the environment.

Every value comes from an environment variable with a safe development default. A bad value
(an unparsable DATABASE_URL, a non-boolean DEBUG) fails at start-up instead of being guessed at.
With DEBUG off, the production safety flags are on and `manage.py check --deploy` is clean.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting. Unlike env.bool, which reads any unknown word as False, it refuses one."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is neither true nor false.")


DEBUG = env_bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105 -- refused below when DEBUG is off
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY is the development key; set a real one when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The port `make run` serves on (PORT=8010 make run); links in emails follow it unless SITE_URL says
# where the site is.
PORT = env.int("PORT", default=8000)
if not 0 < PORT < 65536:
    raise ImproperlyConfigured(f"PORT={PORT} is not a TCP port (1 to 65535).")
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "rest_framework",
    "django_filters",
    "djmoney",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "governance",
    "circles",
    "roles",
    "proposals",
    "money",
    "elections",
    "meetings",
    "polls",
    "record",
    "project",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "governance.middleware.ResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "governance.middleware.LanguageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "governance.middleware.PermissionsPolicyMiddleware",
    "governance.middleware.PrivateCacheMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "governance.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A persistent connection (CONN_MAX_AGE > 0) is checked before a request reuses it, so that one the
# database has closed meanwhile costs a reconnect, not a failed request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling, a server-side cursor (.iterator()) cannot outlive the
# transaction it was declared in: DISABLE_SERVER_SIDE_CURSORS=true (docs/deploy.md).
if env_bool("DISABLE_SERVER_SIDE_CURSORS", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# The prepared queries (governance/prepared.py) are also prepared on the PostgreSQL server, once per
# connection; behind PgBouncer's transaction pooling, which does not keep them, PREPARED_STATEMENTS=false.
PREPARED_STATEMENTS = env_bool("PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real Celery worker process in the tests sees the same rows;
    # one per test process, so that parallel runs do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # The test suite in parallel (pytest-xdist): each process takes the Redis database after the
    # given one by its number, since a test that clears the cache flushes its whole database.
    _redis = urlsplit(REDIS_URL)
    _redis_db = int(_redis.path.strip("/") or 0) + int(os.environ["PYTEST_XDIST_WORKER"][2:])
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_redis_db}"))
# Seconds to wait for Redis to accept a connection or answer a command: short, so that a Redis that
# has gone away costs a request little before the cache falls back to this process's memory.
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=0.5)
if not 0 < REDIS_TIMEOUT_SECONDS <= 10:
    raise ImproperlyConfigured("REDIS_TIMEOUT_SECONDS must be above 0 and at most 10.")
if REDIS_URL:
    # A Redis outage does not fail requests: the rate limits count per process meanwhile (governance.cache).
    CACHES = {
        "default": {
            "BACKEND": "governance.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Answers many members share (proposal lists, a proposal's discussion) kept in the cache under a
# per-organisation version (governance.response_cache). Only with a cache every process shares: a
# process's own memory would keep what another process (a Celery sweep) has changed since.
RESPONSE_CACHE = env_bool("RESPONSE_CACHE", default=bool(REDIS_URL))

AUTH_USER_MODEL = "governance.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: people log in with their email address; failed logins are rate-limited
# (per IP and per account) through the cache, which is Redis in production.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# No page tells whether an address has an account (allauth's enumeration prevention). Password reset
# always says "check your email"; so does sign-up, because a new address is confirmed before its
# first login: signing up with a known address sends its owner an "account already exists" email
# instead of an error. With "optional", allauth would have to refuse a known address on the page.
# (Signing up from an invitation bound to the address needs no confirmation: see AccountAdapter.)
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in ("mandatory", "optional", "none"):
    raise ImproperlyConfigured(
        f"ACCOUNT_EMAIL_VERIFICATION={ACCOUNT_EMAIL_VERIFICATION!r}: mandatory, optional or none."
    )
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_ADAPTER = "governance.account_adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_SIGNUP_FORM_CLASS = "governance.forms.SignupExtraForm"
# Behind a reverse proxy every request comes from the proxy's address. Say how many proxies append
# to X-Forwarded-For, so that the login limits count each client, not everyone together.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Pages, forms, messages, emails and the API's error sentences are translated (locale/<code>/LC_MESSAGES).
# A person's language is their own choice (User.language), else their organisation's, else their
# browser's (governance.middleware.LanguageMiddleware). English reads dates the British way
# (project/formats/en). The names are each language's own: someone looking for theirs finds it.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["project.formats"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"  # never served as such: attachments go through permission-checked views
MONEY_ATTACHMENT_MAX_BYTES = env.int("MONEY_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Governance <governance@localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "governance.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "governance.api.parsers.JSONParser",  # refuses JSON nested too deeply (a 400, not a 500)
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "governance.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "governance.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "governance.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="60/min"),
        "token": "10/min",
        # The open record's anonymous API (record/api.py), per client address.
        "open": env.str("OPEN_API_RATE", default="60/min"),
        # Per person or integration, whatever token or session they use. Generous: it stops a runaway
        # script, not a busy one.
        "user": env.str("API_USER_RATE", default="1200/min"),
    },
    "EXCEPTION_HANDLER": "governance.api.exceptions.exception_handler",
    # Throttles count clients as the login limits do, not by a proxy's address or a forged header.
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Governance API",
    "DESCRIPTION": "Circles, stewards, rosters, roles and consent-based proposals of self-governing cooperatives.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "governance.api.schema.document_rate_limits",
    ],
    "ENUM_NAME_OVERRIDES": {
        "MemberStatusEnum": "governance.models.Member.Status",
        "TermSummaryStateEnum": "record.models.TermSummary.State",
        "InvitationStateEnum": ["pending", "accepted", "revoked", "expired"],
        "ApiTokenStateEnum": ["active", "expired", "revoked"],
        "WebhookEventTypeEnum": "governance.integrations.events.event_type_choices",
        "WebhookDeliveryStatusEnum": "governance.models.WebhookDelivery.Status",
        "RoleKindEnum": "roles.models.Role.Kind",
        "LedgerEntryKindEnum": "money.models.Entry.Kind",
        "SpendingKindEnum": "money.models.Spending.Kind",
        "AttachmentKindEnum": "money.models.Attachment.Kind",
        "ElectionMethodEnum": "roles.models.ElectionMethod",
        "KindEnum": "proposals.models.Kind",
        "MethodEnum": "proposals.models.Method",
        "MeetingKindEnum": "meetings.models.Kind",
        "AgendaItemKindEnum": "meetings.models.AgendaItem.Kind",
        "AttendanceStatusEnum": "meetings.models.Attendance.Status",
        "PollKindEnum": "polls.models.Poll.Kind",
        "ActionItemStatusEnum": "meetings.models.ActionItem.Status",
    },
    # Tags and operation ids from the resource ("circles_list"), not from the version prefix.
    "SCHEMA_PATH_PREFIX": r"/api/v1/",
}

# Celery. With REDIS_URL the broker is Redis; without it, kombu's filesystem transport, which needs
# no server, so that `make run` works on a machine with only Python.
# CELERY_BROKER_URL puts the broker in a Redis database (or server) of its own, apart from the cache.
if REDIS_URL or env.str("CELERY_BROKER_URL", default=""):
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # A publish to a broker that has vanished gives up after seconds instead of hanging a request
        # (the read timeout stays above the worker's one-second BRPOP).
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "socket_keepalive": True,
    }
else:
    CELERY_BROKER_URL = "filesystem://localhost//"  # the host named, or kombu warns at every start
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# A broker outage: the worker keeps trying to reconnect, however long it lasts (by default it gives
# up after 100 tries, about 45 minutes, and exits); a web request that enqueues a task tries briefly,
# then logs and moves on, the outbox rows being swept by beat once the broker is back.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# Tasks are idempotent and acknowledged late: on a lost connection the running ones are cancelled and
# redelivered (Celery 6's default), rather than finishing without a way to acknowledge them.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Queues by kind of work (project.celery): sweeps (the default), email and webhooks. A worker started
# without -Q consumes all three (CELERY_TASK_QUEUES); `-Q webhooks` gives a kind workers of its own.
CELERY_TASK_DEFAULT_QUEUE = "sweeps"
# How many of a sweeps worker's processes a backlog of due rounds is shared between (its
# --concurrency; proposals.tasks.proposals_close_due): 1 closes it in the one process beat's task runs in.
SWEEP_PROCESSES = env.int("SWEEP_PROCESSES", default=2)
# How many due rounds the closing sweep claims and closes in one transaction.
SWEEP_BATCH = env.int("SWEEP_BATCH", default=500)
CELERY_TASK_QUEUES = {name: {"exchange": name, "routing_key": name} for name in ("sweeps", "email", "webhooks")}
CELERY_TASK_ROUTES = ("project.celery.route_task",)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "notifications-flush": {"task": "governance.tasks.notifications_flush", "schedule": 60.0},
    "digests-send": {"task": "governance.tasks.digests_send", "schedule": 900.0},
    "proposals-close-due": {"task": "proposals.tasks.proposals_close_due", "schedule": 60.0},
    "money-rounds-finalise": {"task": "money.tasks.money_rounds_finalise", "schedule": 60.0},
    "proposals-closing-soon": {"task": "proposals.tasks.proposals_remind_closing_soon", "schedule": 300.0},
    "proposals-review": {"task": "proposals.tasks.proposals_remind_review", "schedule": 3600.0},
    # The daily rotation sweep, run hourly so that a term ends within the hour of its local midnight.
    "roles-rotation": {"task": "roles.tasks.roles_rotation_sweep", "schedule": 3600.0},
    "working-groups-remind": {"task": "circles.tasks.working_groups_remind", "schedule": 3600.0},
    "elections-advance": {"task": "elections.tasks.elections_advance_due", "schedule": 300.0},
    "meetings-materialise": {"task": "meetings.tasks.meetings_materialise", "schedule": 3600.0},
    "meetings-remind": {"task": "meetings.tasks.meetings_remind", "schedule": 300.0},
    "action-items-remind": {"task": "meetings.tasks.action_items_remind", "schedule": 3600.0},
    "webhooks-flush": {"task": "governance.tasks.webhooks_flush", "schedule": 30.0},
    "record-term-summaries": {"task": "record.tasks.term_summaries_draft_due", "schedule": 3600.0},
}
# Members who have not responded are reminded this many hours before a round closes.
PROPOSAL_CLOSING_SOON_HOURS = env.int("PROPOSAL_CLOSING_SOON_HOURS", default=24)
# Roles: reminders before a term ends (days; the nearest one due is sent, each once), how early an
# election opens before a term ends, the default length of each election phase, and "ending soon".
# The daily digest of what members take "in a digest" goes out from this hour, their organisation's time.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)
if not 0 <= DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("DIGEST_HOUR must be an hour of the day, 0 to 23.")
# Working groups: how many days before its end date a working group's steward is reminded.
WORKING_GROUP_REMINDER_DAYS = env.int("WORKING_GROUP_REMINDER_DAYS", default=14)
if WORKING_GROUP_REMINDER_DAYS < 1:
    raise ImproperlyConfigured("WORKING_GROUP_REMINDER_DAYS must be at least 1.")
ROLE_TERM_REMINDER_DAYS = sorted(env.list("ROLE_TERM_REMINDER_DAYS", cast=int, default=[30, 7]))
if min(ROLE_TERM_REMINDER_DAYS, default=1) < 1:
    raise ImproperlyConfigured("ROLE_TERM_REMINDER_DAYS must list whole days, each at least 1.")
ROLE_ELECTION_LEAD_DAYS = env.int("ROLE_ELECTION_LEAD_DAYS", default=21)
ROLE_NOMINATION_DAYS = env.int("ROLE_NOMINATION_DAYS", default=7)
ROLE_BALLOT_APPLICATION_DAYS = env.int("ROLE_BALLOT_APPLICATION_DAYS", default=7)
ROLE_BALLOT_VOTING_DAYS = env.int("ROLE_BALLOT_VOTING_DAYS", default=7)
ROLE_ENDING_SOON_DAYS = env.int("ROLE_ENDING_SOON_DAYS", default=30)
# Meetings: members are reminded this many hours before a meeting (the nearest reminder only, if a
# sweep runs late); occurrences of a series are materialised this many days ahead.
MEETING_REMINDER_HOURS = sorted(env.list("MEETING_REMINDER_HOURS", cast=int, default=[24, 1]), reverse=True)
if not MEETING_REMINDER_HOURS or min(MEETING_REMINDER_HOURS) < 1:
    raise ImproperlyConfigured("MEETING_REMINDER_HOURS must list whole hours, each at least 1.")
MEETING_HORIZON_DAYS = env.int("MEETING_HORIZON_DAYS", default=120)

# Production safety: on unless DEBUG.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles come from our own static files only, no
# inline script, event handler attribute, <style> or style attribute anywhere (templates use classes
# and static/js/app.js instead); images also as data: URLs (the favicon, Swagger UI's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features no page here uses, turned off for the page and anything it could embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read with a prepared query (governance/sessions.py).
SESSION_ENGINE = "governance.sessions"

# Webhooks. Private, loopback, link-local, multicast and reserved targets are refused unless this is
# on (for development, to post to a receiver on your own machine).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# A delivery is tried this many times, waiting base, 2×base, 4×base… (capped) between attempts.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=10)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600)
# An endpoint is disabled, and its admins told, after this many failed attempts in a row.
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=15)
if min(WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_BASE_SECONDS, WEBHOOK_DISABLE_AFTER_FAILURES) < 1:
    raise ImproperlyConfigured("WEBHOOK_MAX_ATTEMPTS, _RETRY_BASE_SECONDS and _DISABLE_AFTER_FAILURES are at least 1.")
if not 0 < WEBHOOK_TIMEOUT_SECONDS <= 30:
    raise ImproperlyConfigured("WEBHOOK_TIMEOUT_SECONDS must be above 0 and at most 30.")

# Invitations expire after this many days.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)
# An invitation is sent again at most once in this many minutes (each time with a new link).
INVITATION_RESEND_MINUTES = env.int("INVITATION_RESEND_MINUTES", default=10)
if INVITATION_RESEND_MINUTES < 0:
    raise ImproperlyConfigured("INVITATION_RESEND_MINUTES is a number of minutes, 0 or more.")
# At most this many people in one bulk onboarding (a pasted list, a CSV, one API request).
ONBOARDING_MAX_LINES = env.int("ONBOARDING_MAX_LINES", default=500)
if not 1 <= ONBOARDING_MAX_LINES <= 5000:
    raise ImproperlyConfigured("ONBOARDING_MAX_LINES must be between 1 and 5000.")
# Who may start an organisation: "anyone" signed up, or only "site_admins" (superusers), for hosted
# installs where the operator opens organisations.
ORGANISATION_CREATORS = env.str("ORGANISATION_CREATORS", default="anyone")
if ORGANISATION_CREATORS not in ("anyone", "site_admins"):
    raise ImproperlyConfigured(f"ORGANISATION_CREATORS={ORGANISATION_CREATORS!r}: anyone or site_admins.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
