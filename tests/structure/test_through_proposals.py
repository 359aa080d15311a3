"""The structure kinds end to end through proposals: drafted, checked, enacted on a passed round,
"passed, not enacted" when stale, the domain rule, and the one-click drafts."""

import pytest

from circles.models import PolicySection
from governance.errors import Invalid
from governance.models import Provenance
from proposals.models import Proposal
from proposals.services import proposal_open
from roles.models import Role
from roles.services import role_archive
from tests.changes.helpers import close, draft, opened
from tests.factories import make_role


def test_splitting_an_overloaded_role_into_three_in_two_circles_is_enacted(world, time_machine, as_user):
    alice = world.member(world.alice)
    overloaded = make_role(world.general, "Global coordination", accountabilities=["Finance", "Outreach", "Events"])
    proposal = opened(
        world.general,
        alice,
        ("role.create", {"circle": world.finance.pk, "name": "Finance coordinator", "accountabilities": ["Finance"]}),
        ("role.create", {"circle": world.finance.pk, "name": "Events coordinator", "accountabilities": ["Events"]}),
        (
            "role.create",
            {"circle": world.outreach.pk, "name": "Outreach coordinator", "accountabilities": ["Outreach"]},
        ),
        ("role.retire", {"role": overloaded.pk}),
        title="Split global coordination",
    )
    proposal = close(proposal, time_machine)
    assert proposal.enacted is True
    created = Role.objects.active().filter(name__endswith="coordinator")
    assert sorted(created.values_list("circle__name", "name")) == [
        ("Finance", "Events coordinator"),
        ("Finance", "Finance coordinator"),
        ("Outreach", "Outreach coordinator"),
    ]
    overloaded.refresh_from_db()
    assert overloaded.is_archived
    outreach_role = created.get(circle=world.outreach)
    provenance = Provenance.objects.get(object_type="role", object_id=outreach_role.pk)
    assert (provenance.proposal_id, provenance.circle_id) == (proposal.pk, world.outreach.pk)
    page = as_user(world.otto).get(f"/o/acme/roles/{outreach_role.pk}/").content.decode()
    assert "Decided by" in page and f'href="/o/acme/p/{proposal.pk}/">Split global coordination</a>' in page


def test_a_role_retired_meanwhile_leaves_the_round_passed_not_enacted(world, time_machine):
    role = make_role(world.finance, "Scribe")
    steve = world.member(world.steve)
    proposal = opened(world.finance, steve, ("role.amend", {"role": role.pk, "purpose": "Writes."}))
    role_archive(role=role, by=None)
    proposal = close(proposal, time_machine)
    assert proposal.enacted is False
    assert "The role “Scribe” has been retired." in proposal.enactment_error
    role.refresh_from_db()
    assert role.purpose == ""


def test_nothing_is_applied_when_the_round_fails(world, time_machine):
    role = make_role(world.finance, "Scribe")
    proposal = opened(world.finance, world.member(world.steve), ("role.amend", {"role": role.pk, "purpose": "Writes."}))
    proposal = close(proposal, time_machine, objector=world.member(world.mia))
    assert proposal.outcome != Proposal.Outcome.PASSED and not proposal.enacted
    role.refresh_from_db()
    assert role.purpose == ""


def test_a_sub_circle_cannot_change_a_siblings_role(world):
    sibling = make_role(world.outreach, "Writer")
    with pytest.raises(Invalid):
        draft(world.finance, world.member(world.steve), ("role.amend", {"role": sibling.pk, "purpose": "Ours now"}))
    with pytest.raises(Invalid):
        draft(
            world.finance,
            world.member(world.steve),
            ("policy.add_section", {"circle": world.general.pk, "title": "T", "body": "B"}),
        )


def test_a_policy_section_added_by_a_proposal_shows_its_decision(world, time_machine, as_user):
    proposal = opened(
        world.general,
        world.member(world.alice),
        ("policy.add_section", {"circle": world.general.pk, "title": "Purpose", "body": "We cook together."}),
        title="Write our purpose down",
    )
    close(proposal, time_machine)
    section = PolicySection.objects.get(title="Purpose")
    assert section.versions.get().proposal_id == proposal.pk
    page = as_user(world.mia).get(f"/o/acme/c/{world.general.slug}/policy/").content.decode()
    assert "Decided by" in page and f'href="/o/acme/p/{proposal.pk}/">Write our purpose down</a>' in page


def test_the_reminders_extend_button_drafts_the_extension_in_the_parent_circle(world, time_machine, as_user):
    time_machine.move_to("2027-03-01 09:00Z")
    proposal = opened(
        world.finance,
        world.member(world.steve),
        (
            "working_group.create",
            {"parent": world.finance.pk, "name": "Audit", "goal": "Audit.", "ends_on": "2027-04-01"},
        ),
    )
    close(proposal, time_machine)
    group = world.finance.children.get(name="Audit")
    response = as_user(world.steve).post(f"/o/acme/c/{group.slug}/working-group/propose/extend/")
    extension = Proposal.objects.exclude(pk=proposal.pk).get()
    assert response["Location"] == f"/o/acme/p/{extension.pk}/"
    assert extension.circle == world.finance and extension.state == Proposal.State.DRAFT
    (change,) = extension.changes.all()
    assert (change.kind, change.data["ends_on"]) == ("working_group.extend", "2027-05-01")


def test_a_member_outside_the_parent_circle_cannot_draft_there(world, time_machine, as_user):
    time_machine.move_to("2027-03-01 09:00Z")
    proposal = opened(
        world.finance,
        world.member(world.steve),
        (
            "working_group.create",
            {"parent": world.finance.pk, "name": "Audit", "goal": "Audit.", "ends_on": "2027-04-01"},
        ),
    )
    close(proposal, time_machine)
    group = world.finance.children.get(name="Audit")
    as_user(world.nora).post(f"/o/acme/c/{group.slug}/working-group/propose/close/")
    assert Proposal.objects.count() == 1


def test_the_close_button_drafts_archiving_the_working_group_and_passing_closes_it(world, time_machine, as_user):
    time_machine.move_to("2027-03-01 09:00Z")
    steve = world.member(world.steve)
    close(
        opened(
            world.finance,
            steve,
            (
                "working_group.create",
                {"parent": world.finance.pk, "name": "Audit", "goal": "Audit.", "ends_on": "2027-04-01"},
            ),
        ),
        time_machine,
    )
    group = world.finance.children.get(name="Audit")
    as_user(world.steve).post(f"/o/acme/c/{group.slug}/working-group/propose/close/")
    closing = Proposal.objects.get(changes__kind="circle.archive")
    closing = close(proposal_open(proposal=closing, by=steve), time_machine)
    group.refresh_from_db()
    assert closing.enacted is True and group.is_archived
