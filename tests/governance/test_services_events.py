"""The event log is append-only: services add lines; nothing changes or removes one."""

import pytest

from circles.services import circle_update
from governance.models import Event


def test_it_refuses_to_save_an_existing_event_again(world):
    event = Event.objects.filter(organisation=world.organisation).first()
    event.verb = "history.rewritten"

    with pytest.raises(ValueError, match="append-only"):
        event.save()

    event.refresh_from_db()
    assert event.verb != "history.rewritten"


def test_it_records_the_actor_the_circle_and_the_object_of_each_change(world):
    by = world.member(world.alice)

    circle_update(circle=world.finance, by=by, name="Money")

    event = Event.objects.get(verb="circle.updated")
    assert (event.organisation, event.actor, event.circle) == (world.organisation, by, world.finance)
    assert (event.object_type, event.object_id, event.object_repr) == ("circle", world.finance.pk, "Money")
    assert event.details == {"changes": {"name": ["Finance", "Money"]}}


def test_it_keeps_each_organisations_log_to_itself(world):
    circle_update(circle=world.finance, by=None, name="Money")

    assert not Event.objects.filter(organisation=world.other, verb="circle.updated").exists()
