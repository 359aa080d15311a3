"""Email subjects always fit the outbox: every subject is rendered from its kind's template and made
to fit the 200-character column, so a long title in a long-named circle neither stops the closing
sweep nor answers 500 on the pages that queue mail."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from circles.services import circle_update
from governance.models import Notification
from governance.services import notifications_queue
from meetings.models import ActionItem
from proposals.models import Proposal
from proposals.services import proposals_close_due
from roles.models import Election
from tests.factories import make_circle, make_meeting, make_proposal, make_role

SUBJECT_MAX = Notification._meta.get_field("subject").max_length


def words(text: str, length: int) -> str:
    """`text` repeated and cut to exactly `length` characters, ending on a letter."""
    return (text * (length // len(text) + 1))[: length - 1].rstrip() + "x"


def subjects(kind: str) -> list[str]:
    return list(Notification.objects.filter(kind=kind).values_list("subject", flat=True))


def assert_fits(kind: str) -> list[str]:
    found = subjects(kind)
    assert found, f"no {kind} message was queued"
    assert all(len(subject) <= SUBJECT_MAX and "\n" not in subject for subject in found)
    return found


def test_the_sweep_closes_a_long_titled_round_in_a_circle_renamed_to_a_long_name(world, time_machine):
    title = words("A carefully worded agreement on shared budgets ", 140)
    proposal = make_proposal(world.finance, world.member(world.steve), title=title)
    long_name = words("Finance, budgets and the money we share ", 120)
    circle_update(circle=world.finance, by=None, name=long_name)
    time_machine.move_to(proposal.closes_at + timedelta(minutes=1))

    assert proposals_close_due() == 1

    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.CLOSED and proposal.outcome
    (subject,) = set(assert_fits("proposal_closed"))
    assert len(subject) == SUBJECT_MAX and subject.startswith(f"[{long_name}] Passed: A carefully")
    assert subject.endswith("…")
    body = Notification.objects.filter(kind="proposal_closed").first().body
    assert f"“{title}”" in body  # the body keeps the whole title


def test_opening_a_proposal_with_a_200_character_title_asks_the_roster(world, client):
    draft = make_proposal(world.finance, world.member(world.mia), title=words("Open a round ", 200), opened=False)
    client.force_login(world.mia)

    answer = client.post(reverse("proposal-open", kwargs={"org": "acme", "pk": draft.pk}), {"closes_at": ""})

    assert answer.status_code == 302
    draft.refresh_from_db()
    assert draft.state == Proposal.State.OPEN
    assert len(assert_fits("proposal_opened")) == draft.eligible_count == 2


def test_amending_with_a_200_character_title_asks_everyone_again(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve))
    client.force_login(world.steve)
    title = words("An amended and much longer title ", 200)

    answer = client.post(
        reverse("proposal-amend", kwargs={"org": "acme", "pk": proposal.pk}),
        {"title": title, "body": "Spend less.", "change_note": "Longer"},
    )

    assert answer.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.version, proposal.title) == (2, title)
    assert len(assert_fits("proposal_amended")) == 2


def test_giving_someone_else_an_action_with_a_200_character_title_tells_them(world, client):
    client.force_login(world.steve)
    title = words("Collect every receipt from last quarter ", 200)

    answer = client.post(
        reverse("circle-actions", kwargs={"org": "acme", "circle": "finance"}),
        {"title": title, "owner": world.member(world.mia).pk, "due": "", "notes": ""},
    )

    assert answer.status_code == 302
    item = ActionItem.objects.get()
    assert (item.title, item.owner.user) == (title, world.mia)
    assert Notification.objects.get(kind="action_assigned").recipient == world.mia
    assert_fits("action_assigned")


def test_cancelling_a_meeting_with_a_200_character_title_tells_the_circle(world, client):
    meeting = make_meeting(world.finance, title=words("The quarterly budget review ", 200))
    client.force_login(world.steve)

    answer = client.post(reverse("meeting-cancel", kwargs={"org": "acme", "pk": meeting.pk}), {"reason": "Clash"})

    assert answer.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert len(assert_fits("meeting_cancelled")) == 2  # Mia and Steve


def test_opening_an_election_for_a_long_role_in_a_long_circle_tells_the_circle(world, client):
    circle = make_circle(
        world.organisation, words("Stewardship of the commons we share ", 120), steward=world.member(world.steve)
    )
    role = make_role(circle, words("Keeper of the ledgers and accounts ", 120), selection="elected")
    client.force_login(world.steve)

    answer = client.post(reverse("election-new", kwargs={"org": "acme", "pk": role.pk}), {"method": "sociocratic"})

    assert answer.status_code == 302
    assert Election.objects.get(role=role).state == Election.State.NOMINATING
    (subject,) = assert_fits("election_opened")
    assert subject.startswith(f"[{circle.name}] Election of Keeper") and subject.endswith("…")


def test_the_text_is_plain_not_html_escaped(world, client):
    title = 'Tea & "biscuits" <for everyone>'
    draft = make_proposal(world.finance, world.member(world.mia), title=title, opened=False)
    client.force_login(world.mia)
    client.post(reverse("proposal-open", kwargs={"org": "acme", "pk": draft.pk}), {"closes_at": ""})

    message = Notification.objects.filter(kind="proposal_opened").first()
    assert message.subject == f"[Finance] Your position is asked: {title}"
    assert f"“{title}”" in message.body


def test_the_outbox_makes_any_subject_and_key_fit_whoever_queues_it(world):
    long_key = "report:" + "x" * 200
    notifications_queue(
        recipients=[world.mia],
        kind="test",
        key=long_key + "1",
        subject="A subject\non two lines " + "and far too long " * 20,
        body="Body.",
    )
    notifications_queue(recipients=[world.mia], kind="test", key=long_key + "2", subject="Short", body="Body.")

    first, second = Notification.objects.order_by("pk")
    assert len(first.subject) == SUBJECT_MAX and first.subject.startswith("A subject on two lines and far")
    assert first.subject.endswith("…")
    key_max = Notification._meta.get_field("key").max_length
    assert len(first.key) <= key_max and len(second.key) <= key_max and first.key != second.key
    assert second.subject == "Short"


def test_every_kind_of_email_has_a_subject_and_a_body_template():
    folder = Path(settings.BASE_DIR) / "templates" / "email"
    subjects = {p.name.removesuffix(".subject.txt") for p in folder.glob("*.subject.txt")}
    bodies = {p.name.removesuffix(".txt") for p in folder.glob("*.txt") if not p.name.endswith(".subject.txt")}
    assert subjects == bodies and len(subjects) >= 26
    kind_max = Notification._meta.get_field("kind").max_length
    assert all(len(kind) <= kind_max for kind in subjects)
