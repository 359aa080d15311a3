"""Integration bots hold a membership but are not people: they stay out of the directory, the
general circle's roster and counts, and people pickers; and a term's end is logged once for webhooks."""

from datetime import timedelta

from circles.queries import circle_tree, roster
from governance.integrations.webhooks import webhook_create
from governance.models import Event, Member, WebhookDelivery
from governance.services import integration_token_create
from project.queries import member_directory
from roles.services import role_assign, terms_remind_ending
from tests.factories import make_role


def test_an_integration_bot_is_not_listed_among_people(world):
    integration_token_create(organisation=world.organisation, by=world.member(world.alice), name="Chat bridge")
    bot = Member.objects.get(user__name="Chat bridge")
    assert bot.is_bot
    assert bot not in member_directory(world.organisation)
    assert bot not in roster(world.general)
    general = next(node for node in circle_tree(world.organisation) if node.circle.is_general)
    assert general.circle.member_count == Member.objects.people().filter(organisation=world.organisation).count()
    assert bot not in Member.objects.people()


def test_a_term_ending_is_logged_once_per_reminder_and_reaches_subscribed_webhooks(world, settings, time_machine):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    endpoint = webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url="http://127.0.0.1:9/hook",
        event_types=["role.term_ending"],
    )
    role = make_role(world.finance, "Bookkeeper", term_months=6)
    term = role_assign(role=role, member=world.member(world.mia), by=world.member(world.steve))
    time_machine.move_to(term.planned_end_at - timedelta(days=6))
    terms_remind_ending()
    terms_remind_ending()
    events = Event.objects.filter(verb="role.term_ending", object_id=term.pk)
    assert events.count() == 1 and events.get().details["days"] == 7
    assert WebhookDelivery.objects.filter(endpoint=endpoint, event_type="role.term_ending").count() == 1
