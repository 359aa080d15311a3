"""Starting an organisation, bulk onboarding, adding a member directly and resending an invitation
over the REST API. They extend the core's organisation and invitation viewsets (governance.api.views)
with what needs the apps above the core: the shapes' circles, roles and meetings, and lines that name
circles. The same services as the pages do the work."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from circles.models import Circle
from governance.api import views as core
from governance.api.base import ScopeField, VisibleRelatedField
from governance.api.schema import WRITE, WRITE_STATEFUL, errors
from governance.api.serializers import InvitationSerializer
from governance.models import LANGUAGE_CHOICES, TIME_ZONE_CHOICES, MembershipClass, Organisation
from governance.queries import membership_classes_visible_to, organisations_visible_to
from governance.rules import forget_access_cache
from governance.services import invitation_resend
from governance.services.invitations import invitation_link
from governance.text import MULTI_LINE, single_line

from .api import MemberSerializer
from .onboarding import member_add_directly, onboarding_check, onboarding_send
from .queries import members_visible_to
from .shapes import shape_choices
from .workflows import creation_refusal, organisation_start


def _circles_visible_to(user):
    return Circle.objects.active().filter(organisation__in=organisations_visible_to(user))


class OrganisationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, validators=[single_line])
    slug = serializers.CharField(
        max_length=60,
        required=False,
        default="",
        allow_blank=True,
        validators=[single_line],
        help_text=gettext_lazy(
            "The address, /o/<slug>/: lower-case letters, digits and hyphens. Made from the name if empty."
        ),
    )
    time_zone = serializers.ChoiceField(choices=TIME_ZONE_CHOICES, default="UTC")
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, default="en")
    currency = serializers.CharField(
        max_length=3, default="EUR", validators=[single_line], help_text=gettext_lazy("ISO 4217 code (EUR, GBP, USD…).")
    )
    shape = serializers.ChoiceField(
        choices=[],
        help_text=gettext_lazy(
            "The starting shape: coop (multi-stakeholder co-op), network, council, crews, or empty."
        ),
    )
    description = serializers.CharField(required=False, default="", allow_blank=True, style=MULTI_LINE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shape"].choices = [(key, str(shape.label)) for key, shape in shape_choices()]


@extend_schema_view(
    create=extend_schema(
        summary="Start an organisation from a starting shape",
        description="The caller becomes its admin and the steward of its general circle. Who may start one is "
        "the site's setting (ORGANISATION_CREATORS): anyone signed up, or only site admins (else 403). A taken "
        "address is a 409 that suggests a free one.",
        request=OrganisationCreateSerializer,
        responses={201: core.serializers.OrganisationSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class OrganisationViewSet(core.OrganisationViewSet):
    input_serializers = {**core.OrganisationViewSet.input_serializers, "create": OrganisationCreateSerializer}

    def create(self, request):
        refusal = creation_refusal(request.user)
        if refusal:
            raise PermissionDenied(refusal)
        data = self.read_input()
        organisation = organisation_start(creator=request.user, **data)
        forget_access_cache(request.user)
        return self.answer(organisation, status_code=status.HTTP_201_CREATED)


# Bulk onboarding --------------------------------------------------------------------------------


class OnboardingLineSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=320, allow_blank=True, validators=[single_line])
    name = serializers.CharField(max_length=300, required=False, default="", allow_blank=True, validators=[single_line])
    membership_class = serializers.CharField(
        max_length=200,
        required=False,
        default="",
        allow_blank=True,
        validators=[single_line],
        help_text=gettext_lazy("A membership class by name; empty: the request's `membership_class`."),
    )
    circles = serializers.ListField(
        child=serializers.CharField(max_length=200, validators=[single_line]),
        required=False,
        default=list,
        max_length=50,
        help_text=gettext_lazy("Circles by name or address; they join the first on accepting, and the others too."),
    )


class BulkOnboardingSerializer(serializers.Serializer):
    organisation = ScopeField(model=Organisation, visible=organisations_visible_to)
    membership_class = VisibleRelatedField(
        model=MembershipClass,
        visible=membership_classes_visible_to,
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("The class of people whose line names none."),
    )
    people = OnboardingLineSerializer(many=True, max_length=settings.ONBOARDING_MAX_LINES, allow_empty=False)
    message = serializers.CharField(required=False, default="", allow_blank=True, style=MULTI_LINE)
    add_existing = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("Admins: add people who already have an account directly."),
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text=gettext_lazy("Check every line; send nothing.")
    )


class OnboardingResultSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="number", read_only=True)
    email = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(
        choices=["ok", "error", "invited", "added"],
        read_only=True,
        help_text=gettext_lazy("ok: would be sent (dry run); error: nothing was made; invited; added directly."),
    )
    errors = serializers.ListField(child=serializers.CharField(read_only=True), read_only=True)
    invitation = serializers.IntegerField(source="invitation.pk", read_only=True, allow_null=True, default=None)
    member = serializers.IntegerField(source="member.pk", read_only=True, allow_null=True, default=None)
    link = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy("The invitation link, for an admin to hand over by other means (else empty)."),
    )


class BulkOnboardingResultSerializer(serializers.Serializer):
    invited = serializers.IntegerField(read_only=True)
    added = serializers.IntegerField(read_only=True)
    refused = serializers.IntegerField(read_only=True)
    results = OnboardingResultSerializer(many=True, read_only=True)


class InvitationSentSerializer(InvitationSerializer):
    link = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The new invitation link (admins only; empty for a steward).")
    )

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "link"]
        read_only_fields = fields


class DirectAddSerializer(serializers.Serializer):
    organisation = ScopeField(model=Organisation, visible=organisations_visible_to)
    email = serializers.EmailField(
        help_text=gettext_lazy("The login, or a verified address, of someone who has an account.")
    )
    membership_class = VisibleRelatedField(model=MembershipClass, visible=membership_classes_visible_to)
    circles = serializers.ListField(
        child=VisibleRelatedField(model=Circle, visible=_circles_visible_to), required=False, default=list
    )


@extend_schema_view(
    bulk=extend_schema(
        summary="Invite many people at once (admins; stewards into circles they steward)",
        description="Up to ONBOARDING_MAX_LINES (500) people; an answer per line. A line with a problem (a bad or "
        "repeated address, already a member or invited, an unknown class or circle, a name too long) makes "
        "nothing; the others are invited. With `dry_run`, nothing is sent. An admin gets each invitation link.",
        request=BulkOnboardingSerializer,
        responses={200: BulkOnboardingResultSerializer, **errors(*WRITE)},
    ),
    resend=extend_schema(
        summary="Send an invitation again with a new link (the old one is revoked)",
        description="At most once every INVITATION_RESEND_MINUTES (409 before). An admin gets the new link.",
        request=None,
        responses={201: InvitationSentSerializer, **errors(401, 403, 404, 409)},
    ),
    add_member=extend_schema(
        summary="Add someone who already has an account, without an invitation (admins)",
        request=DirectAddSerializer,
        responses={201: MemberSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class InvitationViewSet(core.InvitationViewSet):
    input_serializers = {
        **core.InvitationViewSet.input_serializers,
        "bulk": BulkOnboardingSerializer,
        "add_member": DirectAddSerializer,
    }
    rules = {
        **core.InvitationViewSet.rules,
        "bulk": "governance.invite_members",
        "resend": core.INVITATION_RULES,
        "add_member": "governance.manage_members",
    }

    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def bulk(self, request):
        data = self.read_input()
        organisation = data["organisation"]
        self.check_object_permissions(request, organisation)
        me = self.caller(organisation.pk)
        rows = [{"line": n, **row} for n, row in enumerate(data["people"], start=1)]
        options = {"default_class": data["membership_class"], "add_existing": data["add_existing"]}
        if data["membership_class"] is not None and data["membership_class"].organisation_id != organisation.pk:
            raise serializers.ValidationError({"membership_class": [_("That class belongs to another organisation.")]})
        if data["dry_run"]:
            lines = onboarding_check(organisation=organisation, by=me, rows=rows, **options)
        else:
            lines = onboarding_send(organisation=organisation, by=me, rows=rows, message=data["message"], **options)
        if not me.is_admin:
            for line in lines:
                line.link = ""
        body = {
            "invited": sum(line.status == "invited" for line in lines),
            "added": sum(line.status == "added" for line in lines),
            "refused": sum(line.status == "error" for line in lines),
            "results": lines,
        }
        return Response(BulkOnboardingResultSerializer(body).data)

    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        invitation = self.get_object()
        me = self.caller(invitation.organisation_id)
        fresh, token = invitation_resend(invitation=invitation, by=me)
        answer = self.get_queryset().get(pk=fresh.pk)
        answer.link = invitation_link(token) if me.is_admin else ""
        return Response(InvitationSentSerializer(answer).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"], url_path="add-member")
    def add_member(self, request):
        data = self.read_input()
        organisation = data.pop("organisation")
        self.check_object_permissions(request, organisation)
        member = member_add_directly(organisation=organisation, by=self.caller(organisation.pk), **data)
        fresh = members_visible_to(request.user).get(pk=member.pk)
        return Response(MemberSerializer(fresh, context=self.get_serializer_context()).data, status=201)
