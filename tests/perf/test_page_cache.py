"""The parts of the proposal and circle pages that every member is shown alike come from the response
cache, and never stale: a comment, a position, an amendment, a close, a roster change and a steward
change are on the next page; nothing of one member's own is in a cached part."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from circles.models import CircleMembership
from circles.services import circle_create, roster_add, roster_remove
from governance.services import member_remove
from proposals.changes import change_add
from proposals.services import comment_add, position_record, proposal_amend, proposals_close_due
from roles.services import steward_assign
from tests.changes.helpers import amend_data
from tests.factories import make_member, make_proposal


def _page(client, user, proposal) -> str:
    client.force_login(user)
    response = client.get(reverse("proposal", kwargs={"org": proposal.organisation.slug, "pk": proposal.pk}))
    assert response.status_code == 200
    return response.content.decode()


def _circle(client, user, circle) -> str:
    client.force_login(user)
    response = client.get(reverse("circle", kwargs={"org": circle.organisation.slug, "circle": circle.slug}))
    assert response.status_code == 200
    return response.content.decode()


def _roster(page: str) -> str:
    return page[page.index('id="roster-heading"') : page.index('id="activity-heading"')]


def test_a_comment_is_on_the_next_page(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve))
    assert "No comments yet" in _page(client, world.nora, proposal)
    comment_add(proposal=proposal, author=world.member(world.mia), body="Is the budget *yearly*?")
    page = _page(client, world.nora, proposal)
    assert "<em>yearly</em>" in page and "No comments yet" not in page


def test_a_position_is_on_the_next_page_and_the_voters_own_panel_is_their_own(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve))
    assert "Nobody has responded yet." in _page(client, world.nora, proposal)
    position_record(proposal=proposal, member=world.member(world.mia), kind="concern", reason="Too fast")
    as_nora = _page(client, world.nora, proposal)
    as_mia = _page(client, world.mia, proposal)
    for page in (as_nora, as_mia):
        assert "Mia Member" in page and "Too fast" in page and "Nobody has responded yet." not in page
    assert "You said" in as_mia and "You said" not in as_nora
    assert "You cannot take a position in this round" in as_nora
    assert "You cannot take a position in this round" not in as_mia


def test_an_amendment_and_a_close_are_on_the_next_page(world, client, time_machine):
    proposal = make_proposal(world.finance, world.member(world.steve))
    assert "We propose a shared budget." in _page(client, world.mia, proposal)
    proposal_amend(proposal=proposal, by=world.member(world.steve), title="Smaller", body="A *smaller* budget.")
    page = _page(client, world.mia, proposal)
    assert "<em>smaller</em>" in page and "We propose a shared budget." not in page and "Version 2" in page
    time_machine.move_to(proposal.closes_at + timedelta(days=1))
    assert proposals_close_due(now=timezone.now()) == 1
    page = _page(client, world.mia, proposal)
    assert "Outcome:" in page and "Nobody responded in this round." in page


def test_the_whole_discussion_and_the_latest_are_kept_apart(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve))
    for n in range(32):
        comment_add(proposal=proposal, author=world.member(world.mia), body=f"Comment number {n:02d}")
    client.force_login(world.nora)
    url = reverse("proposal", kwargs={"org": proposal.organisation.slug, "pk": proposal.pk})
    latest = client.get(url).content.decode()
    whole = client.get(url, {"comments": "all"}).content.decode()
    assert "Comment number 00" not in latest and "Show the whole discussion" in latest
    assert "Comment number 00" in whole and "Show the whole discussion" not in whole


def test_a_roster_change_is_on_the_next_circle_page(world, client):
    newcomer = make_member(world.organisation)
    newcomer.user.name = "Nina Newcomer"
    newcomer.user.save(update_fields=["name"])
    assert "Nina Newcomer" not in _roster(_circle(client, world.nora, world.finance))
    roster_add(circle=world.finance, member=newcomer, by=world.member(world.steve))
    assert "Nina Newcomer" in _roster(_circle(client, world.nora, world.finance))
    stay = CircleMembership.objects.current().get(circle=world.finance, member=newcomer)
    roster_remove(membership=stay, by=world.member(world.steve), reason="Left the group")
    assert "Nina Newcomer" not in _roster(_circle(client, world.nora, world.finance))


def test_a_steward_change_is_on_the_next_circle_page(world, client):
    page = _circle(client, world.nora, world.finance)
    assert page.count('class="badge steward"') == 1
    steward_assign(circle=world.finance, member=world.member(world.mia), by=world.member(world.alice))
    roster = _roster(_circle(client, world.nora, world.finance))
    mia_line = roster[roster.index("Mia Member") : roster.index("Mia Member") + 200]
    assert 'class="badge steward"' in mia_line


def test_a_member_who_leaves_is_off_the_roster_and_cannot_see_the_page(world, client):
    assert "Mia Member" in _roster(_circle(client, world.nora, world.finance))
    member_remove(member=world.member(world.mia), by=world.member(world.alice), reason="Moved away")
    assert "Mia Member" not in _roster(_circle(client, world.nora, world.finance))
    proposal = make_proposal(world.finance, world.member(world.steve))
    client.force_login(world.mia)
    url = reverse("proposal", kwargs={"org": proposal.organisation.slug, "pk": proposal.pk})
    assert client.get(url).status_code == 404


def test_a_cached_proposal_page_asks_the_database_less(world, client, django_assert_max_num_queries):
    proposal = make_proposal(world.finance, world.member(world.steve))
    for n in range(5):
        comment_add(proposal=proposal, author=world.member(world.mia), body=f"Comment {n}")
    position_record(proposal=proposal, member=world.member(world.mia), kind="consent")
    client.force_login(world.mia)
    url = reverse("proposal", kwargs={"org": proposal.organisation.slug, "pk": proposal.pk})
    client.get(url)
    # Not read again: the comments, the versions, the positions shown.
    with django_assert_max_num_queries(11):
        assert client.get(url).status_code == 200


def _side(page: str) -> str:
    """The circle page's steward card and roster heading (outside the cached parts)."""
    return page[page.index('id="steward-heading"') : page.index('id="roster-heading"') + 120]


def test_the_roster_size_and_the_steward_card_follow_a_change(world, client):
    page = _circle(client, world.nora, world.finance)
    assert 'class="badge">2<' in page.replace("\n", "") and "Steve Steward" in _side(page)
    roster_add(circle=world.finance, member=make_member(world.organisation), by=world.member(world.steve))
    steward_assign(circle=world.finance, member=world.member(world.mia), by=world.member(world.alice))
    page = _circle(client, world.nora, world.finance)
    assert 'class="badge">3<' in page.replace("\n", "")
    side = _side(page)
    assert "Mia Member" in side and "Steve Steward" not in side


def test_the_tally_follows_each_position(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve))

    def tally(page):
        return page[page.index('id="tally-heading"') : page.index("</section>", page.index('id="tally-heading"'))]

    assert "0 of 2 responded" in tally(_page(client, world.nora, proposal))
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="Not yet")
    shown = tally(_page(client, world.nora, proposal))
    assert "1 of 2 responded" in shown and "1 standing objection" in shown


def test_the_activity_feed_shows_a_new_event_and_its_times_are_always_fresh(world, client, time_machine):
    def feed(page):
        return page[page.index('id="activity-heading"') :]

    time_machine.move_to(timezone.now(), tick=False)
    first = feed(_circle(client, world.nora, world.finance))
    assert "Mia Member" in first and "hours ago" not in first
    time_machine.shift(timedelta(hours=3))
    later = feed(_circle(client, world.nora, world.finance))
    # The sentences came from the cache (nothing changed); the times are written for this moment.
    assert "3\xa0hours ago" in later
    newcomer = make_member(world.organisation)
    newcomer.user.name = "Nina Newcomer"
    newcomer.user.save(update_fields=["name"])
    roster_add(circle=world.finance, member=newcomer, by=world.member(world.steve))
    assert "Nina Newcomer" in feed(_circle(client, world.nora, world.finance))


def test_the_home_tree_shows_a_new_circle_and_marks_each_members_own(world, client):
    client.force_login(world.mia)
    url = reverse("organisation", kwargs={"org": world.organisation.slug})
    page = client.get(url).content.decode()
    assert "Commons" not in page
    circle_create(organisation=world.organisation, by=world.member(world.alice), name="Commons", parent=world.general)
    as_mia = client.get(url).content.decode()
    client.force_login(world.steve)
    as_steve = client.get(url).content.decode()
    assert "Commons" in as_mia and "Commons" in as_steve
    assert "you steward" in as_steve and "you steward" not in as_mia
    assert "your circle" in as_mia


def test_a_cached_circle_page_asks_the_database_less(world, client, django_assert_max_num_queries):
    for _ in range(6):
        roster_add(circle=world.finance, member=make_member(world.organisation), by=world.member(world.steve))
    client.force_login(world.nora)
    url = reverse("circle", kwargs={"org": world.organisation.slug, "circle": world.finance.slug})
    client.get(url)
    # Not read again: the roster, its size, the steward, the sub-circles, the breadcrumbs, the latest
    # change and the feed.
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_the_cached_navigation_follows_each_viewers_rights(world, client):
    url = reverse("organisation", kwargs={"org": world.organisation.slug})
    settings_link = reverse("organisation_settings", kwargs={"org": world.organisation.slug})
    invitations_link = reverse("invitations", kwargs={"org": world.organisation.slug})
    seen = {}
    for user in (world.alice, world.mia, world.steve, world.alice, world.mia):
        client.force_login(user)
        page = client.get(url).content.decode()
        nav = page[page.index('class="section-nav"') : page.index("</nav>", page.index('class="section-nav"'))]
        seen.setdefault(user.email, set()).add((settings_link in nav, invitations_link in nav))
    # The admin: settings and invitations; a steward: invitations; a member: neither; each time alike.
    assert seen == {
        "alice@acme.test": {(True, True)},
        "steve@acme.test": {(False, True)},
        "mia@acme.test": {(False, False)},
    }


def test_a_members_own_position_is_in_their_form_and_in_nobody_elses(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve))
    steve_page = _page(client, world.steve, proposal)
    position_record(proposal=proposal, member=world.member(world.mia), kind="concern", reason="My own words here")
    mia_page = _page(client, world.mia, proposal)
    steve_again = _page(client, world.steve, proposal)

    def form(page):
        """The position form's fields: after its csrf input (a new token on every page)."""
        start = page.index('class="position-form"')
        start = page.index(">", page.index('name="csrfmiddlewaretoken"', start)) + 1
        return page[start : page.index("</form>", start)]

    def chosen(page, kind):
        field = form(page)
        tag = field[field.index(f'value="{kind}"') :]
        return " checked" in tag[: tag.index(">")]

    assert "My own words here" in form(mia_page) and chosen(mia_page, "concern")
    assert "My own words here" not in form(steve_again) and not chosen(steve_again, "concern")
    assert form(steve_page) == form(steve_again)


def _fields(page):
    """The position form's fields: after its csrf input (a new token on every page)."""
    start = page.index('class="position-form"')
    start = page.index(">", page.index('name="csrfmiddlewaretoken"', start)) + 1
    return page[start : page.index("</form>", start)]


def test_fields_that_show_the_same_position_are_shared_only_where_everyone_sees_positions(world, client):
    from proposals.views import _position_fields_key

    ivy = make_member(world.organisation, circles=[world.finance])  # a second member of the roster
    open_round = make_proposal(world.finance, world.member(world.steve))
    for member in (world.member(world.mia), ivy):
        position_record(proposal=open_round, member=member, kind="concern", reason="Same words")
    mias, ivys = (open_round.positions.get(is_current=True, member=m) for m in (world.member(world.mia), ivy))
    # An open round shows everyone's positions: fields showing the same kind and reason are one entry.
    assert _position_fields_key(open_round, mias) == _position_fields_key(open_round, ivys)
    assert _fields(_page(client, world.mia, open_round)) == _fields(_page(client, ivy.user, open_round))
    position_record(proposal=open_round, member=ivy, kind="concern", reason="New words")
    assert "New words" in _fields(_page(client, ivy.user, open_round))
    assert "New words" not in _fields(_page(client, world.mia, open_round))

    # An anonymous round: each member's fields are kept under their own position, shared with nobody.
    secret = make_proposal(world.finance, world.member(world.steve), title="Secret", anonymous=True)
    for member in (world.member(world.mia), ivy):
        position_record(proposal=secret, member=member, kind="consent", reason="")
    keys = {_position_fields_key(secret, p) for p in secret.positions.filter(is_current=True)}
    assert len(keys) == 2 and all(key[0] == "own" for key in keys)


def test_the_changes_are_the_authors_to_edit_and_everyone_elses_to_read_as_they_stand(world, client):
    steve = world.member(world.steve)
    proposal = make_proposal(world.finance, steve)
    change_add(proposal=proposal, by=steve, kind="circle.amend", data=amend_data(world.finance, purpose="Pay on time"))
    as_nora = _page(client, world.nora, proposal)
    as_steve = _page(client, world.steve, proposal)
    assert "Pay on time" in as_nora and "Pay on time" in as_steve
    assert "Add a change" in as_steve and "Add a change" not in as_nora
    change_add(proposal=proposal, by=steve, kind="circle.amend", data=amend_data(world.finance, name="Treasury Works"))
    assert "Treasury Works" in _page(client, world.nora, proposal)


def test_a_form_sent_back_with_its_error_is_never_the_cached_one(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve))
    org, pk = proposal.organisation.slug, proposal.pk
    clean = _page(client, world.mia, proposal)  # the empty forms, now in the cache
    refused = client.post(reverse("position-record", kwargs={"org": org, "pk": pk}), {"kind": "objection"})
    assert "An objection needs a reason" in refused.content.decode()
    empty = client.post(reverse("comment-add", kwargs={"org": org, "pk": pk}), {"body": ""})
    assert 'aria-invalid="true"' in empty.content.decode()
    again = _page(client, world.mia, proposal)
    assert "An objection needs a reason" not in again and 'aria-invalid="true"' not in again
    assert again.count('name="reason"') == clean.count('name="reason"')
