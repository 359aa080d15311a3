"""The proposal list API answers from the response cache, and never with a stale list or another
member's own fields: every write through the services, a roster change and a permission change are
in the next answer."""

from datetime import timedelta

from django.utils import timezone

from governance.services import member_remove, member_update
from proposals.models import Proposal
from proposals.services import comment_add, position_record, proposal_amend, proposals_close_due
from tests.factories import make_proposal

LIST = "/api/v1/proposals/"


def _rows(response) -> dict[int, dict]:
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


def test_two_members_never_share_their_own_fields(world, api):
    proposal = make_proposal(world.finance, world.member(world.steve))
    position_record(proposal=proposal, member=world.member(world.mia), kind="consent")
    as_mia = _rows(api(world.mia).get(LIST))[proposal.pk]  # computed, and kept for the others
    as_nora = _rows(api(world.nora).get(LIST))[proposal.pk]  # from the cache
    as_steve = _rows(api(world.steve).get(LIST))[proposal.pk]
    as_mia_again = _rows(api(world.mia).get(LIST))[proposal.pk]
    assert (as_mia["i_am_eligible"], as_mia["i_responded"]) == (True, True)
    assert (as_nora["i_am_eligible"], as_nora["i_responded"]) == (False, False)
    assert (as_steve["i_am_eligible"], as_steve["i_responded"]) == (True, False)
    assert as_mia_again == as_mia
    assert {k: v for k, v in as_nora.items() if not k.startswith("i_")} == {
        k: v for k, v in as_mia.items() if not k.startswith("i_")
    }


def test_a_new_position_is_in_the_next_list(world, api):
    proposal = make_proposal(world.finance, world.member(world.steve))
    before = _rows(api(world.mia).get(LIST))[proposal.pk]
    assert before["responded_count"] == 0 and before["i_responded"] is False
    position_record(proposal=proposal, member=world.member(world.steve), kind="consent")
    position_record(proposal=proposal, member=world.member(world.mia), kind="consent")
    after = _rows(api(world.mia).get(LIST))[proposal.pk]
    assert after["responded_count"] == 2 and after["i_responded"] is True


def test_an_amendment_and_a_close_are_in_the_next_list(world, api, time_machine):
    proposal = make_proposal(world.finance, world.member(world.steve))
    client = api(world.nora)
    assert _rows(client.get(LIST))[proposal.pk]["title"] == "Adopt a shared budget"
    proposal_amend(proposal=proposal, by=world.member(world.steve), title="Adopt a smaller budget", body="Less.")
    amended = _rows(client.get(LIST))[proposal.pk]
    assert (amended["title"], amended["version"]) == ("Adopt a smaller budget", 2)
    closes_at = Proposal.objects.get(pk=proposal.pk).closes_at
    time_machine.move_to(closes_at + timedelta(minutes=1))
    assert proposals_close_due(now=timezone.now()) == 1
    closed = _rows(client.get(LIST))[proposal.pk]
    assert (closed["state"], closed["outcome"]) == ("closed", Proposal.objects.get(pk=proposal.pk).outcome)
    assert closed["why"] is not None


def test_a_comment_leaves_the_list_as_it_was_and_a_new_proposal_is_in_it(world, api):
    first = make_proposal(world.finance, world.member(world.steve))
    client = api(world.nora)
    assert list(_rows(client.get(LIST))) == [first.pk]
    comment_add(proposal=first, author=world.member(world.mia), body="Why now?")
    assert list(_rows(client.get(LIST))) == [first.pk]
    second = make_proposal(world.finance, world.member(world.steve), title="Second")
    answer = client.get(LIST).json()
    assert [row["id"] for row in answer["results"]] == [second.pk, first.pk] and answer["count"] == 2


def test_a_members_own_draft_is_in_their_list_and_nobody_elses(world, api):
    opened = make_proposal(world.finance, world.member(world.steve))
    _rows(api(world.nora).get(LIST))  # the shared list, cached
    draft = make_proposal(world.finance, world.member(world.mia), title="My draft", opened=False)
    assert set(_rows(api(world.mia).get(LIST))) == {opened.pk, draft.pk}
    assert set(_rows(api(world.nora).get(LIST))) == {opened.pk}
    assert api(world.mia).get(LIST).json()["count"] == 2
    assert api(world.nora).get(LIST).json()["count"] == 1


def test_a_member_who_leaves_sees_no_list_the_next_time(world, api):
    proposal = make_proposal(world.finance, world.member(world.steve))
    client = api(world.nora)
    assert list(_rows(client.get(LIST))) == [proposal.pk]
    member_remove(member=world.member(world.nora), by=world.member(world.alice), reason="Moved away")
    assert client.get(LIST).json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_an_admin_change_is_seen_by_the_list_and_the_permission_it_gives(world, api):
    proposal = make_proposal(world.finance, world.member(world.steve))
    client = api(world.nora)
    assert _rows(client.get(LIST))[proposal.pk]["author"]["id"] == world.member(world.steve).pk
    member_update(member=world.member(world.nora), by=world.member(world.alice), is_admin=True)
    # The shared part is the same for admins; what an admin may do is asked of the rules each time.
    assert _rows(client.get(LIST))[proposal.pk]["i_am_eligible"] is False
    assert client.get("/api/v1/organisations/").json()["results"][0]["my_membership"]["is_admin"] is True


def test_the_etag_changes_with_the_content_and_answers_304_while_it_does_not(world, api):
    proposal = make_proposal(world.finance, world.member(world.steve))
    client = api(world.mia)
    first = client.get(LIST)
    etag = first["ETag"]
    assert etag and client.get(LIST, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api(world.nora).get(LIST)["ETag"] != etag  # another member's own fields differ
    position_record(proposal=proposal, member=world.member(world.mia), kind="consent")
    changed = client.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert _rows(changed)[proposal.pk]["i_responded"] is True


def test_a_cached_list_costs_the_members_and_one_query_of_the_callers_own(world, api, django_assert_max_num_queries):
    for n in range(3):
        make_proposal(world.finance, world.member(world.steve), title=f"Round {n}")
    client = api(world.mia)
    client.get(LIST)
    with django_assert_max_num_queries(2):  # the memberships, the caller's own fields
        assert len(client.get(LIST).json()["results"]) == 3


def test_filters_and_pages_are_cached_apart(world, api):
    first = make_proposal(world.finance, world.member(world.steve), title="First")
    second = make_proposal(world.outreach, world.member(world.otto), title="Second")
    client = api(world.nora)
    assert [r["id"] for r in client.get(LIST, {"circle": world.finance.pk}).json()["results"]] == [first.pk]
    assert [r["id"] for r in client.get(LIST, {"circle": world.outreach.pk}).json()["results"]] == [second.pk]
    paged = client.get(LIST, {"page_size": 1, "page": 2}).json()
    assert [r["id"] for r in paged["results"]] == [first.pk] and paged["count"] == 2
    assert client.get(LIST, {"state": "nonsense"}).status_code == 400
