"""A newcomer's journey in a real browser: sign up, start a co-op from the multi-stakeholder
template, invite five people at once, and one of them accepts (tests/onboarding/journey.py)."""

import pytest

from circles.models import CircleMembership
from governance.models import Invitation
from tests.onboarding.journey import found_a_coop_and_invite

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_starts_a_co_op_and_the_first_invitee_joins(chromium, live_server):
    journey = found_a_coop_and_invite(chromium, live_server)

    assert journey.founder.is_admin and journey.founder.membership_class.name == "Worker members"
    assert journey.organisation.circles.count() == 4
    assert journey.newcomer.membership_class.name == "Worker members"
    circles = CircleMembership.objects.current().filter(member=journey.newcomer).values_list("circle__name", flat=True)
    assert set(circles) == {"Operations"}
    states = {i.email: i.state for i in Invitation.objects.filter(organisation=journey.organisation)}
    assert list(states.values()).count("accepted") == 1 and list(states.values()).count("pending") == 4
