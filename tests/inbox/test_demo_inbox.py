"""Every member of the demo co-operative has something in their inbox, so that trying any login
shows what the inbox is for (Dev, Hiro and Chiara get it from meetings.demo's ACTIONS_DUE)."""

from governance.inbox import inbox_collect
from governance.models import Member
from project.demo import load_demo


def test_each_demo_member_has_something_in_their_inbox(db):
    organisation = load_demo()
    empty = []
    for member in Member.objects.people().filter(organisation=organisation).select_related("organisation", "user"):
        found = inbox_collect(member)
        # Something to do, beyond the meetings of the week that everyone in a circle has.
        if not set(found.counts) - {"meeting.week", "meeting.today"}:
            empty.append(member.user.display_name)
    assert empty == []
