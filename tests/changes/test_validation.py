"""Changes are checked when drafted, when the round opens and when it closes; a circle's proposals
change only that circle and its sub-circles (the general circle may change anything)."""

import pytest

from circles.models import Circle
from circles.services import circle_archive
from governance.errors import Conflict, Invalid, NotAllowed
from proposals.models import Change
from proposals.services import (
    change_add,
    change_remove,
    change_update,
    position_record,
    proposal_create,
    proposal_open,
)
from tests.changes.helpers import amend_data, draft
from tests.factories import make_circle


def test_a_draft_change_refuses_bad_data_with_the_field_at_fault(world):
    steve = world.member(world.steve)
    proposal = draft(world.finance, steve)
    with pytest.raises(Invalid) as error:
        change_add(proposal=proposal, by=steve, kind="circle.amend", data=amend_data(world.finance, name="  "))
    assert (error.value.message, error.value.field) == ("A circle needs a name.", "name")
    with pytest.raises(Invalid) as error:
        change_add(proposal=proposal, by=steve, kind="circle.create", data={"parent": 999999, "name": "X"})
    assert (error.value.message, error.value.field) == ("There is no such circle in this organisation.", "parent")
    with pytest.raises(Invalid) as error:
        change_add(proposal=proposal, by=steve, kind="circle.teleport", data={})
    assert error.value.message == "There is no kind of change called “circle.teleport”." and error.value.field == "kind"
    with pytest.raises(Invalid, match="changes nothing"):
        change_add(proposal=proposal, by=steve, kind="circle.amend", data=amend_data(world.finance))
    assert not Change.objects.exists()


def test_a_circle_may_change_itself_and_its_sub_circles(world):
    steve = world.member(world.steve)
    budget = make_circle(world.organisation, "Budget", parent=world.finance)
    proposal = draft(world.finance, steve)
    change_add(proposal=proposal, by=steve, kind="circle.amend", data=amend_data(world.finance, purpose="Books"))
    change_add(proposal=proposal, by=steve, kind="circle.amend", data=amend_data(budget, purpose="Plan"))
    change_add(proposal=proposal, by=steve, kind="circle.create", data={"parent": budget.pk, "name": "Forecasts"})
    assert proposal.changes.count() == 3


@pytest.mark.parametrize("target", ["general", "outreach"])
def test_a_sub_circle_cannot_change_its_parent_or_a_sibling(world, target):
    steve = world.member(world.steve)
    proposal = draft(world.finance, steve)
    circle = getattr(world, target)
    with pytest.raises(Invalid) as error:
        change_add(proposal=proposal, by=steve, kind="circle.amend", data=amend_data(circle, purpose="Ours now"))
    assert error.value.message == (
        f"“{circle.name}” is outside the domain of “Finance”: a circle's proposals change only the circle "
        "itself and its sub-circles. Propose it in a circle that holds it."
    )
    with pytest.raises(Invalid, match="outside the domain"):
        change_add(
            proposal=proposal,
            by=steve,
            kind="circle.move",
            data={"circle": world.outreach.pk, "parent": world.finance.pk},
        )


def test_the_general_circle_may_change_anything(world):
    alice = world.member(world.alice)
    proposal = draft(world.general, alice)
    change_add(
        proposal=proposal, by=alice, kind="circle.move", data={"circle": world.outreach.pk, "parent": world.finance.pk}
    )
    change_add(proposal=proposal, by=alice, kind="circle.archive", data={"circle": world.finance.pk})


def test_a_circle_cannot_move_under_itself_or_a_descendant(world):
    alice = world.member(world.alice)
    budget = make_circle(world.organisation, "Budget", parent=world.finance)
    proposal = draft(world.general, alice)
    for parent in (world.finance, budget):
        with pytest.raises(Invalid, match="cannot sit inside itself") as error:
            change_add(
                proposal=proposal, by=alice, kind="circle.move", data={"circle": world.finance.pk, "parent": parent.pk}
            )
        assert error.value.field == "parent"


def test_only_the_author_edits_changes_and_only_while_they_may(world, time_machine):
    steve, mia = world.member(world.steve), world.member(world.mia)
    proposal = draft(world.finance, steve, ("circle.amend", amend_data(world.finance, purpose="Books")))
    change = proposal.changes.get()
    with pytest.raises(NotAllowed):
        change_update(change=change, by=mia, data=amend_data(world.finance, purpose="Mine"))
    with pytest.raises(NotAllowed):
        change_remove(change=change, by=mia)
    proposal = proposal_open(proposal=proposal, by=steve)
    time_machine.move_to(proposal.closes_at)
    with pytest.raises(Conflict):
        change_remove(change=change, by=steve)


def test_opening_checks_the_changes_again(world):
    alice = world.member(world.alice)
    proposal = draft(world.general, alice, ("circle.amend", amend_data(world.finance, purpose="Books")))
    circle_archive(circle=Circle.objects.get(pk=world.finance.pk), by=None)
    with pytest.raises(Invalid) as error:
        proposal_open(proposal=proposal, by=alice)
    assert error.value.message == (
        "Change 1 (Amend the circle “Finance”) cannot be made as it stands: “Finance” is archived."
    )
    proposal.refresh_from_db()
    assert proposal.state == "draft"


def test_changing_the_changes_of_an_open_round_amends_it(world):
    steve, mia = world.member(world.steve), world.member(world.mia)
    proposal = draft(world.finance, steve, ("circle.amend", amend_data(world.finance, purpose="Books")))
    proposal = proposal_open(proposal=proposal, by=steve)
    position_record(proposal=proposal, member=mia, kind="consent")
    before = proposal.closes_at
    change_update(change=proposal.changes.get(), by=steve, data=amend_data(world.finance, purpose="The books"))
    proposal.refresh_from_db()
    assert proposal.version == 2 and proposal.tally == {} and proposal.closes_at >= before
    assert proposal.versions.last().change_note == "Changed: Amend the circle “Finance”"
    assert proposal.changes.get().data["purpose"] == "The books"


def test_a_proposal_without_changes_opens_as_before(world):
    steve = world.member(world.steve)
    proposal = proposal_create(circle=world.finance, author=steve, title="Tea", body="Buy tea.")
    assert proposal_open(proposal=proposal, by=steve).state == "open"
