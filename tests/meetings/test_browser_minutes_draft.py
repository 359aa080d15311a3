"""Minutes without lost words, in a real browser, on a desktop and on a 390 px phone: the secretary
types the minutes, records attendance (in place), adds an action (a full page load) and the typed
text is still there, saved by itself; the prefilled draft followed the attendance until she typed;
publishing asks first."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from meetings.models import ActionItem, Attendance, Minutes
from tests.browser import TEST_PASSWORD
from tests.factories import UserFactory, give_role, make_meeting, make_member

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", SIZES)
def test_the_secretarys_minutes_survive_every_other_action_on_the_page(size, chromium, live_server, world):
    sam = make_member(world.organisation, user=UserFactory(name="Sam Secretary"), circles=[world.finance])
    give_role(world.finance, sam, "secretary")
    meeting = make_meeting(world.finance, title="Finance circle", starts_in=timedelta(minutes=-10), minutes=90)
    context = chromium.new_context(base_url=live_server.url, viewport=SIZES[size])
    tab = context.new_page()
    tab.goto("/accounts/login/")
    tab.get_by_label("Email").fill(sam.user.email)
    tab.get_by_label("Password").fill(TEST_PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(lambda url: "/accounts/login/" not in url)
    tab.goto(f"/o/acme/meetings/{meeting.pk}/")

    # The secretary is named as the circle's secretary; the page says who publishes what.
    expect(tab.locator(".meeting-facts")).to_contain_text("Sam Secretary")
    expect(tab.locator("#who-publishes")).to_contain_text("publish the agenda")

    # Before anyone types, the prefilled draft follows the attendance recorded in place.
    minutes = tab.get_by_role("textbox", name="Minutes")
    assert "Present (1)" not in minutes.input_value()
    panel = tab.locator("#attendance-panel")
    panel.locator("fieldset.attendance-row", has_text="Mia").get_by_label("Present").check()
    panel.get_by_role("button", name="Save attendance").click()
    expect(panel).to_contain_text("Attendance is recorded")
    expect(minutes).to_have_value(containing("Present (1)"))
    assert not Minutes.objects.filter(meeting=meeting).exists()

    # She types; the draft saves itself and says so.
    minutes.fill(minutes.input_value() + "\nWe agreed to scan receipts on the day.\n")
    expect(tab.locator("[data-autosave-status]")).to_contain_text("Draft saved at")
    assert "scan receipts on the day" in Minutes.objects.get(meeting=meeting).body

    # Everyone else present, in place: the typed text is untouched.
    minutes.fill(minutes.input_value() + "Typed just before the attendance.\n")
    panel.get_by_role("button", name="Everyone present").click()
    expect(panel).to_contain_text("Attendance is recorded")
    assert set(Attendance.objects.filter(meeting=meeting).values_list("status", flat=True)) == {"present"}
    expect(minutes).to_have_value(containing("Typed just before the attendance."))

    # An action added with a full page load: the text typed a moment before is saved first.
    minutes.fill(minutes.input_value() + "Typed just before the action.\n")
    tab.locator("#actions summary", has_text="Add an action").click()
    tab.get_by_label("Action", exact=True).fill("Scan receipts")
    tab.get_by_label("Owner", exact=True).select_option(label="Mia Member")
    tab.get_by_role("button", name="Add the action").click()
    expect(tab.locator("#messages")).to_contain_text("The action is recorded")
    assert ActionItem.objects.filter(meeting=meeting, title="Scan receipts").exists()
    minutes = tab.get_by_role("textbox", name="Minutes")
    expect(minutes).to_have_value(containing("Typed just before the action."))
    expect(minutes).to_have_value(containing("We agreed to scan receipts on the day."))

    # Publishing asks first: declining publishes nothing; accepting publishes.
    tab.once("dialog", lambda dialog: dialog.dismiss())
    tab.get_by_role("button", name="Publish the minutes").click()
    assert Minutes.objects.get(meeting=meeting).state == "draft"
    tab.once("dialog", lambda dialog: dialog.accept())
    tab.get_by_role("button", name="Publish the minutes").click()
    expect(tab.locator("#messages")).to_contain_text("The minutes are published")
    published = Minutes.objects.get(meeting=meeting)
    assert published.state == "published" and "Typed just before the action." in published.body
    expect(tab.locator("#minutes")).not_to_contain_text("[ ]")
    context.close()


def containing(text):
    """A value matcher for expect(...).to_have_value: a regular expression that finds `text`."""
    return re.compile(re.escape(text))
