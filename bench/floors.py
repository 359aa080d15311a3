"""The floors: what the stack costs before any of our code runs.

Both go through the same middleware and the same gunicorn workers as the pages, so a ratio to them
measured in the same round holds while the machine's absolute speed swings. They answer no words, so
the language middleware does not look up whose language to answer in (`language_free`): a page pays
nothing for that look-up either, as it loads the user and their memberships for its navigation anyway."""

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from governance.middleware import language_free
from proposals.models import Proposal


@language_free
def ok(request):
    """Django alone: the middleware stack and a response."""
    return HttpResponse("ok", content_type="text/plain")


class FloorProposalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Proposal
        fields = "__all__"


@method_decorator(language_free, name="dispatch")
class ProposalFloor(ListAPIView):
    """DRF alone: 50 proposals through a plain ModelSerializer, with no authentication, permission,
    throttle, filter or pagination."""

    serializer_class = FloorProposalSerializer
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        # The newest 50 by primary key, read straight from its index: the cheapest list there is.
        return Proposal.objects.order_by("-pk")[:50]
