"""A member's inbox is kept for them under the organisation's version and the minute: the navigation's
count on the next page asks no source again, a write by anyone in the organisation is in the next
read, a new minute computes it afresh, and no member is ever given another's."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from governance.inbox import inbox_of
from proposals.services import position_record
from tests.factories import make_proposal


def _count(client, organisation):
    response = client.get(reverse("inbox_count", kwargs={"org": organisation.slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_count_on_the_next_page_asks_no_source_again(world, client, django_assert_max_num_queries):
    make_proposal(world.finance, world.member(world.steve), title="Buy a printer")
    client.force_login(world.mia)
    first = _count(client, world.organisation)
    # The session, the user, the memberships and the organisation; none of the inbox's sources.
    with django_assert_max_num_queries(4):
        assert _count(client, world.organisation) == first


def test_a_position_given_leaves_the_inbox_at_once(world):
    proposal = make_proposal(world.finance, world.member(world.steve), title="Buy a printer")
    mia = world.member(world.mia)
    assert [e.title for e in inbox_of(mia).entries] == ["Buy a printer"]
    position_record(proposal=proposal, member=mia, kind="consent")
    assert inbox_of(world.member(world.mia)).entries == []


def test_two_members_never_share_an_inbox(world):
    make_proposal(world.finance, world.member(world.steve), title="Buy a printer")
    mia_titles = [e.title for e in inbox_of(world.member(world.mia)).entries]
    nora_titles = [e.title for e in inbox_of(world.member(world.nora)).entries]
    assert mia_titles == ["Buy a printer"] and nora_titles == []


def test_a_new_minute_reads_the_clock_again(world, time_machine):
    proposal = make_proposal(world.finance, world.member(world.steve), title="Buy a printer")
    time_machine.move_to(proposal.closes_at - timedelta(seconds=30), tick=False)
    mia = world.member(world.mia)
    assert [e.title for e in inbox_of(mia).entries] == ["Buy a printer"]
    time_machine.move_to(proposal.closes_at + timedelta(minutes=1), tick=False)
    # The deadline passed (the sweep has not closed the round yet): no position to give any more.
    assert inbox_of(mia, timezone.now()).entries == []
