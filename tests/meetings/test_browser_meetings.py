"""A meeting in a real browser: a member raises a tension, the facilitator puts it on the agenda and
publishes it, the secretary records attendance (in place, htmx), writes the minutes with an action
item and publishes them; the database follows each step."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from meetings.models import ActionItem, AgendaItem, Attendance, Minutes, Tension
from tests.browser import TEST_PASSWORD
from tests.factories import give_role, make_meeting, make_member

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(tab, email):
    tab.goto("/accounts/login/")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(TEST_PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_tension_goes_on_the_agenda_and_the_minutes_are_published(page, log_in, chromium, live_server, world):
    fay = make_member(world.organisation, circles=[world.finance])
    sam = make_member(world.organisation, circles=[world.finance])
    give_role(world.finance, fay, "facilitator")
    give_role(world.finance, sam, "secretary")
    meeting = make_meeting(world.finance, title="Finance circle", starts_in=timedelta(minutes=-10), minutes=90)
    meeting_path = f"/o/acme/meetings/{meeting.pk}/"

    # Mia raises a tension.
    log_in("mia@acme.test")
    page.goto("/o/acme/c/finance/tensions/")
    page.get_by_label("What tension do you sense?").fill("Receipts get lost")
    page.get_by_label("Description").fill("Paper receipts vanish before they are booked.")
    page.get_by_role("button", name="Raise the tension").click()
    expect(page.locator("#messages")).to_contain_text("Your tension is raised")
    tension = Tension.objects.get()
    assert (tension.state, tension.raised_by, tension.title) == ("open", world.member(world.mia), "Receipts get lost")

    # The facilitator puts it on the agenda and publishes it.
    facilitator = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    tab = facilitator.new_page()
    _log_in(tab, fay.user.email)
    tab.goto(f"/o/acme/tensions/{tension.pk}/")
    tab.get_by_label("Put it on the agenda of").select_option(str(meeting.pk))
    tab.get_by_role("button", name="Put on the agenda").click()
    expect(tab.locator("#agenda-panel")).to_contain_text("Receipts get lost")
    tension.refresh_from_db()
    assert tension.state == "on_agenda"
    tab.get_by_role("button", name="Publish the agenda").click()
    expect(tab.locator("#messages")).to_contain_text("The agenda is published")
    expect(tab.locator("#agenda-panel")).to_contain_text("published")
    facilitator.close()
    meeting.refresh_from_db()
    assert meeting.agenda_published_at is not None
    assert AgendaItem.objects.get(meeting=meeting).tension == tension

    # The secretary (on a phone) records attendance in place, adds an action and publishes the minutes.
    secretary = chromium.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    tab = secretary.new_page()
    _log_in(tab, sam.user.email)
    tab.goto(meeting_path)
    tab.evaluate("window.samePage = true")
    panel = tab.locator("#attendance-panel")
    for person, status in (("Mia Member", "Present"), ("Steve Steward", "Excused"), (sam.user.name, "Present")):
        panel.locator("fieldset.attendance-row", has_text=person).get_by_label(status).check()
    tab.get_by_role("button", name="Save attendance").click()
    expect(panel).to_contain_text("Attendance is recorded")
    expect(panel).to_contain_text("2 present · 1 excused")
    assert tab.evaluate("window.samePage === true")
    assert dict(Attendance.objects.filter(meeting=meeting).values_list("member__user__email", "status")) == {
        "mia@acme.test": "present",
        "steve@acme.test": "excused",
        sam.user.email: "present",
    }

    tab.locator("#actions summary", has_text="Add an action").click()
    tab.get_by_label("Action", exact=True).fill("Scan receipts on the day")
    tab.get_by_label("Owner", exact=True).select_option(label="Mia Member")
    tab.get_by_label("Due (optional)").fill("2030-01-15")
    tab.get_by_role("button", name="Add the action").click()
    expect(tab.locator("#messages")).to_contain_text("The action is recorded")
    action = ActionItem.objects.get()
    assert (action.owner.user, action.meeting, str(action.due)) == (world.mia, meeting, "2030-01-15")

    minutes = tab.get_by_role("textbox", name="Minutes")
    draft = minutes.input_value()
    assert "Receipts get lost" in draft and "Scan receipts on the day" in draft and "Present (2)" in draft
    minutes.fill(draft + "\nWe agreed to scan receipts on the day.\n")
    tab.once("dialog", lambda dialog: dialog.accept())  # "Publish the minutes? They are locked…"
    tab.get_by_role("button", name="Publish the minutes").click()
    expect(tab.locator("#messages")).to_contain_text("The minutes are published")
    expect(tab.locator("#minutes")).to_contain_text("We agreed to scan receipts on the day.")
    expect(tab.get_by_role("button", name="Publish the minutes")).to_have_count(0)
    secretary.close()

    published = Minutes.objects.get(meeting=meeting)
    assert (published.state, published.version, published.published_by) == ("published", 1, sam)
    assert "We agreed to scan receipts on the day." in published.body
    assert published.versions.get().body == published.body
