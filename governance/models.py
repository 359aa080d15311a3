"""Organisations, the people in them, and the organisation-wide records every app writes to:
the append-only event log and the notification outbox."""

import hashlib
import json
import secrets
import zoneinfo
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.dates import SaneDateTimeField
from governance.integrations.events import event_type_label
from governance.text import SingleLineCharField

TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]
# The languages Django itself is translated into (settings.LANGUAGES): a list that is kept up to date
# with each release, rather than one of ours.
LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]
# No ISO 4217 table is installed: a currency is three capital letters (EUR, GBP, USD, CHF...).
currency_code = RegexValidator(r"^[A-Z]{3}\Z", "A currency is its three-letter ISO 4217 code, such as EUR, GBP or USD.")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with a login. They log in by email and may belong to several organisations."""

    email = models.EmailField("email address", unique=True)
    name = SingleLineCharField("full name", max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, help_text=_("May log in to the Django admin."))
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=LANGUAGE_CHOICES,
        blank=True,
        default="",
        help_text=_("The language of your pages and emails. Left empty, your organisation's is used."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["name", "email"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.name or self.email.split("@")[0]

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name.split(" ")[0]


class Organisation(models.Model):
    name = SingleLineCharField(max_length=150)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True, help_text=_("Markdown."))
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    language = models.CharField(
        max_length=10, choices=LANGUAGE_CHOICES, default="en", help_text=_("The language its pages and emails use.")
    )
    currency = SingleLineCharField(
        max_length=3, default="EUR", validators=[currency_code], help_text=_("ISO 4217 code of the money it counts in.")
    )
    circle_size_min = models.PositiveSmallIntegerField(
        default=3, help_text=_("Circles smaller than this get a gentle notice.")
    )
    circle_size_max = models.PositiveSmallIntegerField(
        default=8, help_text=_("Circles larger than this get a gentle notice suggesting a split.")
    )
    load_max_circles = models.PositiveSmallIntegerField(
        default=3, help_text=_("A member in more circles than this is flagged as carrying a lot.")
    )
    consent_round_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("Default length of a consent round, in days.")
    )
    proxies_max_held = models.PositiveSmallIntegerField(
        default=1,
        verbose_name=_("Proxies one member may hold"),
        help_text=_("How many other members one member may respond for at a time; 0 turns proxies off."),
    )
    structure_by_consent = models.BooleanField(
        default=True,
        help_text=_(
            "Structure changes by consent: circles (and roles) change through the changes a passed "
            "proposal carries; members find “Propose a change” where Edit buttons were, and admins edit directly "
            "only as a logged override with a reason."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(circle_size_min__gte=1) & Q(circle_size_min__lte=models.F("circle_size_max")),
                name="organisation_circle_size_range",
            ),
            models.CheckConstraint(condition=Q(consent_round_days__gte=1), name="organisation_round_days_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.time_zone)


class MembershipClass(models.Model):
    """A class of membership (worker members, user members…) with its voting strength."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="membership_classes")
    name = SingleLineCharField(max_length=80)
    voting_weight = models.PositiveSmallIntegerField(default=1, help_text=_("Weight of one vote of this class."))
    may_vote = models.BooleanField(default=True)
    description = SingleLineCharField(max_length=300, blank=True)

    class Meta:
        ordering = ["organisation", "-voting_weight", "name"]
        verbose_name_plural = _("membership classes")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="membership_class_unique_name"),
        ]

    def __str__(self):
        return self.name


class MemberQuerySet(models.QuerySet):
    def people(self):
        """Active members who are people: integration bots hold a membership but are nobody's
        colleague, receive no mail and appear in no roster or directory."""
        return self.filter(status=Member.Status.ACTIVE, is_bot=False)


class Member(models.Model):
    """A user's membership of one organisation."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    membership_class = models.ForeignKey(MembershipClass, on_delete=models.PROTECT, related_name="members")
    is_admin = models.BooleanField(default=False, help_text=_("Organisation admins edit settings and circles."))
    is_bot = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("An integration acting through an organisation token, not a person. It never votes."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    left_reason = SingleLineCharField(max_length=300, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["user__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="member_unique_per_organisation"),
            models.CheckConstraint(
                condition=Q(status="active", left_at__isnull=True) | Q(status="left", left_at__isnull=False),
                name="member_left_at_matches_status",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.organisation})"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


def hash_token(token: str) -> str:
    """What is stored of a secret that is shown once (an invitation link, an API token, a calendar feed's
    address): its SHA-256, so that a copy of the database opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def _default_invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use, expiring link that joins a person to an organisation (and optionally a circle).

    Only a hash of the token is stored: the link is shown once, in the email. Unless the inviter chose
    "anyone with the link", only an account with the invited email address may accept it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    name = SingleLineCharField(max_length=150, blank=True, help_text=_("The person's name, as the inviter gave it."))
    membership_class = models.ForeignKey(MembershipClass, on_delete=models.PROTECT, related_name="+")
    circle = models.ForeignKey(
        "circles.Circle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
        help_text=_("Optionally, the circle the person joins on accepting."),
    )
    more_circles = models.ManyToManyField(
        "circles.Circle",
        blank=True,
        related_name="+",
        help_text=_("Other circles the person joins on accepting (bulk onboarding names several)."),
    )
    message = models.TextField(blank=True)
    bound_to_email = models.BooleanField(
        "only for this email address",
        default=True,
        help_text=_("Only an account with this email address may accept; otherwise anyone with the link may."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="invitations_sent")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    resent_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resent_as",
        help_text=_("The invitation this one replaced when it was sent again (that one was revoked)."),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation of {self.email} to {self.organisation}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, hash_token(token)

    @staticmethod
    def hash_token(token: str) -> str:
        return hash_token(token)

    @property
    def state(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the secret is shown once.

    A personal token acts as its user. An organisation's integration token (organisation set) acts
    as a bot member of that organisation, created with it, whose rights (member or admin) are the
    ones the admin granted, never more than that admin has now (see `bot_rights`); the bot belongs to
    no other organisation, so the token reaches no other."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="integration_tokens",
        help_text=_("Set for an organisation's integration token; empty for a personal token."),
    )
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integration_tokens",
        help_text=_("The bot member an integration token acts as."),
    )
    created_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = SingleLineCharField(max_length=100)
    prefix = SingleLineCharField(max_length=12, help_text=_("The first characters, to recognise a token."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = SaneDateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=True, member__isnull=True)
                | Q(organisation__isnull=False, member__isnull=False),
                name="api_token_integration_has_bot_member",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> tuple[str, str]:
        key = "gov_" + secrets.token_urlsafe(32)
        return key, hash_token(key)

    @staticmethod
    def hash_key(key: str) -> str:
        return hash_token(key)

    @property
    def is_integration(self):
        return self.organisation_id is not None

    @property
    def bot_rights(self) -> str | None:
        """For an integration token, the rights its bot acts with: "admin" or "member", the ones it
        was granted but never more than the member who made it has now, or None once that member has
        left the organisation (the integration then stops). None for a personal token, which simply
        acts as its user. The one rule, read by the permission cache (rules.active_members), the
        token authentication and the integrations pages."""
        if self.member is None:
            return None
        maker = self.created_by
        if maker is not None and not maker.is_active:
            return None
        return "admin" if self.member.is_admin and (maker is None or maker.is_admin) else "member"

    @property
    def is_usable(self):
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def state(self):
        if self.revoked_at:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class Event(models.Model):
    """One line of the append-only event log: who did what to which object, when.

    Services write it in the same transaction as the change. Nothing updates or deletes it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verb = SingleLineCharField(max_length=60, db_index=True)
    object_type = SingleLineCharField(max_length=60)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_repr = SingleLineCharField(max_length=200)
    circle = models.ForeignKey("circles.Circle", null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"]), models.Index(fields=["circle", "-created_at"])]

    def __str__(self):
        return f"{self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The event log is append-only.")
        super().save(*args, **kwargs)


class Notification(models.Model):
    """An outbox row: one message to one person about one thing, written in the same transaction as
    the change that causes it. The unique key makes a message impossible to queue twice; Celery
    delivers it (and a sweep retries what a broker or mail outage left behind)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    email = models.EmailField(help_text=_("Where it goes; for an invitation there is no user yet."))
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = SingleLineCharField(max_length=60)
    key = SingleLineCharField(max_length=120, help_text=_("What this message is about, e.g. 'proposal:12'."))
    subject = SingleLineCharField(max_length=200)
    body = models.TextField()
    html = models.TextField(blank=True, help_text=_("The same message as HTML (the footer is added when sent)."))
    held_for_digest = models.BooleanField(
        default=False, help_text=_("The recipient takes this kind in a daily digest: sent within it, not alone.")
    )
    digest = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # indexed where set (Meta): most messages go alone, and every row is written once
        help_text=_("The digest it went in."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email", "kind", "key"], name="notification_once_per_recipient"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(sent_at__isnull=True), name="notification_unsent"),
            models.Index(
                fields=["recipient", "organisation"],
                condition=Q(sent_at__isnull=True, held_for_digest=True),
                name="notification_held_for_digest",
            ),
            # What finds a digest's messages when it is deleted (to unset their link); the rows
            # that went alone, nearly all of them, have no entry to write.
            models.Index(fields=["digest"], condition=Q(digest__isnull=False), name="notification_in_digest"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.email}"


class NotificationPreference(models.Model):
    """How a member takes one kind of email in one organisation: at once (the default, with no row),
    in a daily digest, or not at all. Kinds that cannot be turned off ignore it (governance.notifications)."""

    class Delivery(models.TextChoices):
        NOW = "now", _("At once")
        DIGEST = "digest", _("In a daily digest")
        OFF = "off", _("Off")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = SingleLineCharField(max_length=60)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.NOW)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="notification_preference_once_per_kind"),
        ]

    def __str__(self):
        return f"{self.member}: {self.kind} {self.delivery}"


class WebhookEndpoint(models.Model):
    """A URL an organisation's admins registered to receive signed JSON about chosen event types
    (see governance.integrations.events). The secret signs every delivery, so it is kept as typed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField("URL", max_length=500)
    description = SingleLineCharField(max_length=100, blank=True, help_text=_("What receives it, to recognise it."))
    secret = SingleLineCharField(max_length=200, help_text=_("Signs each delivery (HMAC-SHA256)."))
    event_types = models.JSONField(default=list, help_text=_("The event types sent to this URL."))
    created_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = SingleLineCharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text=_("Failed attempts in a row; the endpoint is disabled when they reach the limit.")
    )

    class Meta:
        ordering = ["organisation", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=True, disabled_at__isnull=True) | Q(is_active=False, disabled_at__isnull=False),
                name="webhook_disabled_at_matches_state",
            ),
        ]

    def __str__(self):
        return self.description or self.host

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc or self.url

    @property
    def event_type_labels(self) -> list[str]:
        return [event_type_label(t) for t in self.event_types]


class WebhookDelivery(models.Model):
    """An outbox row: one event for one endpoint, written in the transaction that recorded the event.
    The (endpoint, event) constraint means an event is never queued, so never sent, twice; Celery
    sends it and a periodic sweep retries failures with exponential backoff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    event_type = SingleLineCharField(max_length=60)
    payload = models.JSONField(help_text=_("The JSON body, fixed when queued so every attempt sends the same."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("HTTP status of the last try.")
    )
    response_ms = models.PositiveIntegerField(null=True, blank=True, help_text=_("Response time of the last try."))
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self):
        return f"{self.event_type} #{self.event_id} to {self.endpoint}"

    @property
    def payload_pretty(self) -> str:
        return json.dumps(self.payload, indent=2, ensure_ascii=False, sort_keys=True)


class SweepFailure(models.Model):
    """An item a periodic sweep could not process (a round it could not close, a reminder it could not
    queue). The sweep carries on with the other items; this one is held back until `next_attempt_at`,
    retried with a growing delay, and reported to the site admins once. A later success marks it
    resolved; the row stays as the record of what happened."""

    sweep = SingleLineCharField(max_length=60, help_text=_("Which sweep, e.g. 'proposals_close_due'."))
    object_type = SingleLineCharField(max_length=60)
    object_id = models.BigIntegerField()
    object_repr = SingleLineCharField(max_length=200)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    error = SingleLineCharField(max_length=500, help_text=_("The exception and its message, cut to fit."))
    traceback = models.TextField(blank=True, help_text=_("The end of the last failure's traceback."))
    attempts = models.PositiveIntegerField(default=1)
    first_failed_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(help_text=_("The sweep leaves the item alone until then."))
    reported_at = models.DateTimeField(null=True, blank=True, help_text=_("When the site admins were told."))
    resolved_at = models.DateTimeField(null=True, blank=True, help_text=_("When a later attempt succeeded."))

    class Meta:
        ordering = ["-last_failed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sweep", "object_type", "object_id"],
                condition=Q(resolved_at__isnull=True),
                name="sweep_failure_open_once",
            ),
        ]

    def __str__(self):
        return f"{self.sweep}: {self.object_type} {self.object_id}"


class Provenance(models.Model):
    """Which decision made or last changed a piece of structure: one row per object an applied change
    touched (a circle, a role, a policy section, a budget…), or per direct edit an admin made as an
    override, with its reason. Pages show the newest row of an object as "Decided by …"; the rows of a
    circle, newest first, are its governance record. Append-only, like the event log.

    It names the proposal by id rather than by foreign key: the core sits below proposals in the
    order of layers; the proposal's title is kept so the record reads without it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    object_type = SingleLineCharField(max_length=60, help_text=_("The model's name, as events name it."))
    object_id = models.PositiveBigIntegerField()
    object_repr = SingleLineCharField(max_length=200)
    circle = models.ForeignKey(
        "circles.Circle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The circle whose record lists this change."),
    )
    change_kind = SingleLineCharField(max_length=60, help_text=_("The kind of change, e.g. 'role.amend'."))
    summary = SingleLineCharField(max_length=300, help_text=_("One sentence: what the change did."))
    proposal_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text=_("The decision, if not an override.")
    )
    proposal_title = SingleLineCharField(max_length=200, blank=True)
    change_id = models.PositiveBigIntegerField(null=True, blank=True, help_text=_("The proposal's change row."))
    actor = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    override_reason = SingleLineCharField(max_length=300, blank=True, help_text=_("Why an admin edited directly."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-created_at"], name="provenance_of_object"),
            models.Index(fields=["circle", "-created_at"], name="provenance_of_circle"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal_id__isnull=False) | ~Q(override_reason=""), name="provenance_decision_or_override"
            ),
        ]

    def __str__(self):
        return f"{self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Provenance is append-only.")
        super().save(*args, **kwargs)

    @property
    def is_override(self):
        return self.proposal_id is None
