"""The activity feed groups repeated events and links every object it names, in flat queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from circles.services import roster_add
from meetings.services import agenda_item_add
from tests.factories import make_meeting, make_member, make_proposal


def feed(client):
    html = client.get("/o/acme/").content.decode()
    return html.split('class="activity"')[1].split("</ol>")[0]


def test_repeated_agenda_items_read_as_one_line_with_links(world, as_user):
    steve = world.member(world.steve)
    meeting = make_meeting(world.finance, by=steve, title="Finance sync")
    for title in ("Budget", "Hiring", "Retreat", "Printer"):
        agenda_item_add(meeting=meeting, by=steve, title=title)
    html = feed(as_user(world.mia))
    assert "added 4 items to the agenda of" in html
    assert f'href="/o/acme/meetings/{meeting.pk}/">Finance sync</a>' in html
    assert f'href="/o/acme/members/{steve.pk}/"><strong>Steve Steward</strong>' in html
    assert html.count("added an item to the agenda") == 0


def test_people_added_to_a_circle_are_one_line_and_other_events_stay_apart(world, as_user):
    people = [make_member(world.organisation) for _ in range(3)]
    for person in people:
        roster_add(circle=world.outreach, member=person, by=world.member(world.otto))
    proposal = make_proposal(world.finance, world.member(world.steve), title="Buy a printer")
    html = feed(as_user(world.mia))
    assert "added 3 people to" in html and 'href="/o/acme/c/outreach/">Outreach</a>' in html
    assert "4 people joined the organisation" in html  # with Nora, who joined just before
    assert f'href="/o/acme/p/{proposal.pk}/">Buy a printer</a>' in html


def test_the_feed_costs_the_same_queries_for_more_events(world, as_user):
    client = as_user(world.mia)
    steve = world.member(world.steve)
    meeting = make_meeting(world.finance, by=steve, title="Finance sync")
    agenda_item_add(meeting=meeting, by=steve, title="One")
    make_proposal(world.finance, steve, title="First")
    with CaptureQueriesContext(connection) as few:
        client.get("/o/acme/")
    for n in range(15):
        other = make_meeting(world.outreach, title=f"Outreach {n}")
        agenda_item_add(meeting=other, by=steve, title="Item")
        make_proposal(world.finance, steve, title=f"Round {n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/o/acme/")
    # More inbox entries and more lines, but no query per event: the inbox and the links are flat.
    assert len(many) <= len(few) + 2  # at most a query per new object type named (meeting series…)
