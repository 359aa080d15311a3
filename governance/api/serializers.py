"""Shapes of organisations, membership classes, members, invitations, events, tokens and webhooks.

Serializers only shape and check the form of input; every rule and every write is a service's."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance import queries
from governance.dates import sane_date
from governance.integrations.events import event_type_choices
from governance.models import (
    ApiToken,
    Event,
    Invitation,
    Member,
    MembershipClass,
    NotificationPreference,
    Organisation,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from governance.rules import member_for
from governance.services import ORGANISATION_SETTINGS
from governance.text import MULTI_LINE, single_line

from .base import ScopeField, VisibleRelatedField

# References by id, limited to what the caller can see ---------------------------------------------


def organisation_scope(**kwargs):
    return ScopeField(model=Organisation, visible=queries.organisations_visible_to, **kwargs)


# The circles app's model, reached through the core's own reference to it: the core names no higher app.
Circle = Invitation._meta.get_field("circle").related_model


def circles_of_my_organisations(user):
    """The circles of the user's organisations: every member sees every circle of theirs
    (circles.view_circle)."""
    return Circle._default_manager.filter(organisation_id__in=queries.visible_organisation_ids(user))


def circle_scope(**kwargs):
    return ScopeField(model=Circle, visible=circles_of_my_organisations, **kwargs)


def circle_reference(**kwargs):
    return VisibleRelatedField(model=Circle, visible=circles_of_my_organisations, **kwargs)


def membership_class_reference(**kwargs):
    return VisibleRelatedField(model=MembershipClass, visible=queries.membership_classes_visible_to, **kwargs)


def member_reference(**kwargs):
    return VisibleRelatedField(model=Member, visible=queries.members_visible_to, **kwargs)


class MemberSummarySerializer(serializers.ModelSerializer):
    """A member as other objects mention them: who added someone to a roster, who stewards a circle."""

    name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = Member
        fields = ["id", "name"]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300, allow_blank=True, help_text=_("Why; kept in the history."), validators=[single_line]
    )


# Organisations ---------------------------------------------------------------------------------


class MeSerializer(serializers.ModelSerializer):
    language = serializers.ChoiceField(
        choices=[("", ""), *settings.LANGUAGES],
        allow_blank=True,
        required=False,
        help_text=_("The language of my pages and emails (en, fr, es, de); empty follows my organisation's."),
    )

    class Meta:
        model = User
        fields = ["id", "email", "name", "language"]
        read_only_fields = ["id", "email"]


class MyMembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The caller's member id in this organisation."))
    is_admin = serializers.BooleanField(read_only=True)


class OrganisationSerializer(serializers.ModelSerializer):
    my_membership = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "time_zone",
            "language",
            "currency",
            "circle_size_min",
            "circle_size_max",
            "load_max_circles",
            "consent_round_days",
            "proxies_max_held",
            "structure_by_consent",
            "created_at",
            "my_membership",
        ]
        read_only_fields = fields

    @extend_schema_field(MyMembershipSerializer)
    def get_my_membership(self, organisation):
        member = member_for(self.context["request"].user, organisation.pk)
        return {"id": member.pk, "is_admin": member.is_admin}


class OrganisationUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = list(ORGANISATION_SETTINGS)
        extra_kwargs = {
            "circle_size_min": {"min_value": 1},
            "circle_size_max": {"min_value": 1},
            "consent_round_days": {"min_value": 1},
            "proxies_max_held": {"min_value": 0, "max_value": 20},
        }
        validators = []


# Membership classes ----------------------------------------------------------------------------


class MembershipClassSerializer(serializers.ModelSerializer):
    class Meta:
        model = MembershipClass
        fields = ["id", "organisation", "name", "voting_weight", "may_vote", "description"]
        read_only_fields = fields


class MembershipClassUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MembershipClass
        fields = ["name", "voting_weight", "may_vote", "description"]
        validators = []


class MembershipClassCreateSerializer(MembershipClassUpdateSerializer):
    organisation = organisation_scope()

    class Meta(MembershipClassUpdateSerializer.Meta):
        fields = ["organisation", *MembershipClassUpdateSerializer.Meta.fields]
        extra_kwargs = {"voting_weight": {"default": 1}, "may_vote": {"default": True}, "description": {"default": ""}}


# Members ---------------------------------------------------------------------------------------


class MemberUpdateSerializer(serializers.Serializer):
    membership_class = membership_class_reference(required=False)
    is_admin = serializers.BooleanField(required=False)


# Invitations -----------------------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=["pending", "accepted", "revoked", "expired"], read_only=True)
    invited_by = MemberSummarySerializer(read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "organisation",
            "email",
            "membership_class",
            "circle",
            "message",
            "bound_to_email",
            "state",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    organisation = organisation_scope()
    email = serializers.EmailField()
    membership_class = membership_class_reference()
    circle = circle_reference(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The circle the person joins on accepting. Stewards may invite only to circles they steward."),
    )
    message = serializers.CharField(required=False, allow_blank=True, default="", style=MULTI_LINE)
    bound_to_email = serializers.BooleanField(
        required=False,
        default=True,
        help_text=_("Only an account with this email address may accept (the default); false: anyone with the link."),
    )


# The event log ---------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    actor = MemberSummarySerializer(read_only=True, allow_null=True)
    details = serializers.DictField(read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "organisation",
            "circle",
            "actor",
            "verb",
            "object_type",
            "object_id",
            "object_repr",
            "details",
            "created_at",
        ]
        read_only_fields = fields


# API tokens ------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(help_text=_("The email address you log in with."), validators=[single_line])
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(max_length=100, required=False, default="API token", validators=[single_line])
    read_only = serializers.BooleanField(required=False, default=False, help_text=_("Refuse every write."))


class ApiTokenCreateSerializer(serializers.Serializer):
    """Left out, `read_only` and `expires_at` are those of the token the request comes with (if any):
    a token creates tokens that expire no later and write no more than itself."""

    name = serializers.CharField(max_length=100, help_text=_("To recognise the token later."), validators=[single_line])
    read_only = serializers.BooleanField(
        required=False,
        help_text=_("Refuse every write. Left out: false, or, asked with a read-only token, true."),
    )
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text=_(
            "When it stops working; null: never. Asked with a token that expires, it may be no later "
            "than that token's expiry, which is also what leaving it out gives."
        ),
        validators=[sane_date],
    )


TOKEN_STATES = ["active", "expired", "revoked"]


class ApiTokenSerializer(serializers.ModelSerializer):
    is_usable = serializers.BooleanField(read_only=True)
    state = serializers.ChoiceField(choices=TOKEN_STATES, read_only=True)
    organisation = serializers.IntegerField(
        source="organisation_id",
        read_only=True,
        allow_null=True,
        help_text=_("Set for an organisation's integration token; null for a personal token."),
    )

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "organisation",
            "read_only",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "state",
            "is_usable",
        ]
        read_only_fields = fields


class TokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text=_("Send as `Authorization: Bearer <token>`. Shown this once; only its hash is kept.")
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


class IntegrationTokenSerializer(serializers.ModelSerializer):
    """An organisation's integration token and the bot member it acts as."""

    member = MemberSummarySerializer(read_only=True, help_text=_("The bot member the token acts as."))
    is_admin = serializers.BooleanField(
        source="member.is_admin", read_only=True, help_text=_("Whether the bot was granted an admin's rights.")
    )
    acts_as = serializers.ChoiceField(
        source="bot_rights",
        choices=["admin", "member"],
        read_only=True,
        allow_null=True,
        help_text=_(
            "The rights it acts with now: those granted, never more than its maker has now (an admin's "
            "only while they are an admin); null once its maker has left the organisation, when it stops."
        ),
    )
    created_by = MemberSummarySerializer(read_only=True, allow_null=True)
    is_usable = serializers.BooleanField(read_only=True)
    state = serializers.ChoiceField(choices=TOKEN_STATES, read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "organisation",
            "name",
            "prefix",
            "member",
            "is_admin",
            "acts_as",
            "read_only",
            "created_by",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "state",
            "is_usable",
        ]
        read_only_fields = fields


class IntegrationTokenCreatedSerializer(IntegrationTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text=_("Send as `Authorization: Bearer <token>`. Shown this once; only its hash is kept.")
    )

    class Meta(IntegrationTokenSerializer.Meta):
        fields = ["token", *IntegrationTokenSerializer.Meta.fields]
        read_only_fields = fields


class IntegrationTokenCreateSerializer(ApiTokenCreateSerializer):
    organisation = organisation_scope()
    is_admin = serializers.BooleanField(
        required=False, default=False, help_text=_("Give the integration an admin's rights; otherwise a member's.")
    )


# Webhooks --------------------------------------------------------------------------------------

# Every app has registered its event types by now: serializers are imported once the apps are ready.
EVENT_TYPES = event_type_choices()


def event_types_field(**kwargs):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES),
        allow_empty=False,
        help_text=_("The event types sent to this URL."),
        **kwargs,
    )


class WebhookSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), read_only=True)
    created_by = MemberSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "organisation",
            "url",
            "description",
            "event_types",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text=_("Verifies the `Webhook-Signature` header. Shown this once.")
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text=_("http or https; private addresses are refused."))
    description = serializers.CharField(max_length=100, allow_blank=True, validators=[single_line])
    event_types = event_types_field()
    secret = serializers.CharField(
        min_length=16,
        max_length=200,
        help_text=_("A new signing secret (at least 16 characters); the old one stops signing at once."),
        validators=[single_line],
    )


class WebhookCreateSerializer(WebhookUpdateSerializer):
    organisation = organisation_scope()
    description = serializers.CharField(
        max_length=100, allow_blank=True, required=False, default="", validators=[single_line]
    )
    secret = serializers.CharField(
        min_length=16,
        max_length=200,
        required=False,
        default="",
        help_text=_("The signing secret, at least 16 characters. Leave it out to get a generated one."),
        validators=[single_line],
    )


class WebhookDisableSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Shown on the webhook's page."),
        validators=[single_line],
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.ChoiceField(choices=EVENT_TYPES, read_only=True)
    payload = serializers.DictField(read_only=True, help_text=_("The JSON body sent, the same on every attempt."))

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "event_type",
            "status",
            "attempts",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "response_status",
            "response_ms",
            "last_error",
            "payload",
        ]
        read_only_fields = fields


class EventTypeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=EVENT_TYPES)
    label = serializers.CharField()
    verbs = serializers.ListField(child=serializers.CharField(), help_text=_("The event-log verbs sent as this type."))


class InboxEntrySerializer(serializers.Serializer):
    """One thing waiting for the caller (see governance.inbox.InboxEntry)."""

    organisation = serializers.SlugField(read_only=True, help_text=_("The organisation's address (slug)."))
    kind = serializers.CharField(
        read_only=True, help_text=_('Stable key: "proposal.position", "meeting.minutes", "action.due"…')
    )
    title = serializers.CharField(read_only=True)
    action = serializers.CharField(read_only=True, help_text=_("What to do, in the caller's language."))
    url = serializers.URLField(read_only=True, help_text=_("The page where it is done."))
    due = serializers.DateTimeField(read_only=True, allow_null=True, help_text=_("The deadline, if there is one."))
    circle = serializers.CharField(read_only=True, allow_blank=True)
    role = serializers.CharField(
        read_only=True, allow_blank=True, help_text=_("The caller's part in it: secretary, facilitator…")
    )
    object_type = serializers.CharField(read_only=True, allow_blank=True)
    object_id = serializers.IntegerField(read_only=True, allow_null=True)


class InboxSerializer(serializers.Serializer):
    count = serializers.IntegerField(read_only=True, help_text=_("How many entries, in every organisation asked for."))
    counts = serializers.DictField(
        read_only=True, child=serializers.IntegerField(), help_text=_("How many of each kind.")
    )
    results = InboxEntrySerializer(
        many=True, read_only=True, help_text=_("The nearest deadline first; those without one last.")
    )


class NotificationPreferenceSerializer(serializers.Serializer):
    """How the caller takes one kind of email from one organisation."""

    organisation = serializers.SlugField(read_only=True, help_text=_("The organisation's address (slug)."))
    kind = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    group = serializers.CharField(read_only=True)
    delivery = serializers.ChoiceField(read_only=True, choices=NotificationPreference.Delivery.choices)
    can_turn_off = serializers.BooleanField(
        read_only=True,
        help_text=_("False for what is always sent at once (invitations, objections to your proposals…)."),
    )


class NotificationPreferenceSetSerializer(serializers.Serializer):
    organisation = serializers.SlugField(help_text=_("The organisation's address (slug)."))
    kind = serializers.CharField(max_length=60, validators=[single_line])
    delivery = serializers.ChoiceField(choices=NotificationPreference.Delivery.choices)
