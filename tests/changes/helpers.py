"""Shared steps of the changes tests: a draft with changes, opened, closed with an outcome."""

from proposals.models import Proposal
from proposals.services import change_add, position_record, proposal_close, proposal_create, proposal_open


def draft(circle, author, *changes, title="Restructure", body="We propose these changes."):
    proposal = proposal_create(circle=circle, author=author, title=title, body=body)
    for kind, data in changes:
        change_add(proposal=proposal, by=author, kind=kind, data=data)
    return proposal


def opened(circle, author, *changes, **kwargs):
    return proposal_open(proposal=draft(circle, author, *changes, **kwargs), by=author)


def close(proposal, time_machine, *, objector=None):
    if objector is not None:
        position_record(proposal=proposal, member=objector, kind="objection", reason="Not like this.")
    time_machine.move_to(proposal.closes_at)
    assert proposal_close(proposal_id=proposal.pk)
    return Proposal.objects.get(pk=proposal.pk)


def amend_data(circle, **fields):
    data = {"circle": circle.pk, "name": circle.name, "purpose": circle.purpose, "domains": circle.domains}
    data["accountabilities"] = circle.accountabilities
    data.update(fields)
    return data
