"""A Finance circle with more voters than the shared personas, for the secrecy walk and the proxies."""

import pytest

from governance.models import MembershipClass
from tests.factories import UserFactory, make_member


@pytest.fixture
def voters(world):
    """Ann (the author), Vic and Wes, on the Finance roster beside Steve (steward) and Mia."""
    people = {}
    for key, name in (("ann", "Ann Author"), ("vic", "Vic Voter"), ("wes", "Wes Weighty")):
        user = UserFactory(email=f"{key}@acme.test", name=name)
        people[key] = make_member(world.organisation, user=user, circles=[world.finance])
    return people


@pytest.fixture
def heavy_class(world):
    return MembershipClass.objects.create(organisation=world.organisation, name="Founders", voting_weight=3)
