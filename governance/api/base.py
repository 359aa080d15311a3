"""What every viewset of the API shares: the permission class, input and output serializers, the
caller's membership, and references by id limited to what the caller can see."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from governance.models import ApiToken, Member
from governance.queries import WHAT_LABELS
from governance.rules import member_for

from .permissions import RulePermission


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to an object the caller can see (`visible(user)` is the queryset). An id
    outside it gets the same 400 as an id that does not exist, so nothing leaks."""

    def __init__(self, *, model, visible, **kwargs):
        self.visible = visible
        super().__init__(queryset=model._default_manager.all(), **kwargs)

    def get_queryset(self):
        return self.visible(self.context["request"].user)


class ScopeField(VisibleRelatedField):
    """The organisation or circle a new row is created in. One the caller cannot see is a 404, as it
    would be at its own URL: the write is refused as if the place did not exist."""

    def to_internal_value(self, data):
        try:
            return self.get_queryset().get(pk=data)
        except ObjectDoesNotExist as exc:
            what = str(self.queryset.model._meta.verbose_name)
            raise NotFound(_("No such %(what)s.") % {"what": WHAT_LABELS.get(what, what)}) from exc
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)


class GovernanceViewSet(viewsets.GenericViewSet):
    """`serializer_class` shapes the answers; `input_serializers` maps an action to the serializer of
    its request body; `rules` maps an action to the rules that grant it (see RulePermission)."""

    permission_classes = [RulePermission]
    rules: dict = {}
    input_serializers: dict = {}

    def get_serializer_class(self):
        return self.input_serializers.get(self.action, self.serializer_class)

    def filter_queryset(self, queryset):
        """The query-string filters are the list's. An action on one object (and a list under it, such
        as a proposal's comments) looks the object up unfiltered: `?state=closed` on an open
        proposal's comments is not a reason to answer 404 or 400 (see schema.AutoSchema)."""
        if getattr(self, "detail", False):
            return queryset
        return super().filter_queryset(queryset)

    def caller(self, organisation_id) -> Member:
        """The caller's membership of an organisation they can see (the queryset made sure of it)."""
        return member_for(self.request.user, organisation_id)

    def caller_token(self) -> ApiToken | None:
        """The API token the request came with; None for a browser session."""
        return self.request.auth if isinstance(self.request.auth, ApiToken) else None

    def read_input(self, *, partial: bool = False) -> dict:
        serializer = self.get_serializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def check_creation(self, unsaved) -> None:
        """Judge a creation by the action's rules, on the row it would create (not yet saved)."""
        self.check_object_permissions(self.request, unsaved)

    def answer(self, instance, *, status_code: int = status.HTTP_200_OK) -> Response:
        """The object as the list shows it (reloaded through the queryset, with its annotations)."""
        fresh = self.get_queryset().get(pk=instance.pk)
        return Response(self.serializer_class(fresh, context=self.get_serializer_context()).data, status=status_code)
