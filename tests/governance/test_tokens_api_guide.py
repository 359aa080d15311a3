"""The API guide (docs/api.md) shows code that works: its example script lists a member's open
proposals and records a position with a personal token against a running server, and its
signature check accepts a real delivery and refuses a forged one."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from governance.integrations.webhooks import webhook_create, webhooks_flush
from governance.services import api_token_create
from proposals.models import Position
from tests.factories import UserFactory, make_member, make_proposal

pytest_plugins = ["tests.receiver"]

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)


@pytest.mark.django_db(transaction=True)
def test_the_example_lists_my_open_proposals_and_records_a_position(world, live_server):
    proposal = make_proposal(world.finance, world.member(world.steve), title="Buy a shared printer")
    make_proposal(world.outreach, world.member(world.otto), title="Not my circle")
    _token, key = api_token_create(user=world.mia, name="Guide example")
    example = python_blocks()[0]

    result = subprocess.run(
        [sys.executable, "-c", example],
        env={"GOVERNANCE_URL": live_server.url, "GOVERNANCE_TOKEN": key, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert f"#{proposal.pk} Buy a shared printer (consent, closes" in result.stdout
    assert "Not my circle" not in result.stdout
    assert f"Recorded consent on #{proposal.pk}." in result.stdout
    assert Position.objects.get(proposal=proposal, member__user=world.mia, is_current=True).kind == "consent"


def test_the_signature_check_accepts_a_real_delivery_and_refuses_a_forged_one(world, receiver):
    namespace = {}
    exec(python_blocks()[1], namespace)  # noqa: S102 -- the guide's own snippet
    verify = namespace["verify"]
    webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url=receiver.url,
        event_types=["member.joined"],
        secret="the-receivers-secret-0123",
    )
    make_member(world.organisation, user=UserFactory(email="newcomer@acme.test"))
    webhooks_flush()

    [request] = receiver.requests
    headers = {name.title(): value for name, value in request.headers.items()}
    assert verify("the-receivers-secret-0123", headers, request.body)
    assert not verify("another-secret-altogether", headers, request.body)
    assert not verify("the-receivers-secret-0123", headers, request.body + b" ")
    stale = {**headers, "Webhook-Timestamp": str(int(headers["Webhook-Timestamp"]) - 3600)}
    assert not verify("the-receivers-secret-0123", stale, request.body)
