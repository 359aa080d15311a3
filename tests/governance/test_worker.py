"""A real Celery worker delivers the outbox: an invitation queued in a committed transaction is
emailed by a worker process reading the test database."""

import pytest

from governance.models import Notification
from governance.services import invitation_create
from tests.factories import UserFactory, make_organisation
from tests.worker import celery_worker, wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def mail_dir(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


def test_a_worker_process_emails_an_invitation_after_the_transaction_commits(transactional_db, tmp_path, mail_dir):
    organisation = make_organisation("Worker Co-op", admin=UserFactory(email="wanda@worker.test"))
    inviter = organisation.members.get()

    with celery_worker(log_path=tmp_path / "worker.log", env={"EMAIL_URL": f"filemail:///{mail_dir}"}) as worker:
        invitation, token = invitation_create(
            organisation=organisation,
            by=inviter,
            email="newcomer@elsewhere.test",
            membership_class=organisation.membership_classes.get(),
        )
        notification = Notification.objects.get(kind="invitation", key=f"invitation:{invitation.pk}")

        sent = wait_for(
            lambda: Notification.objects.filter(pk=notification.pk, sent_at__isnull=False).exists(),
            timeout=30,
            process=worker,
        )
        assert sent, (tmp_path / "worker.log").read_text()

    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.last_error == ""
    (message_file,) = mail_dir.iterdir()
    message = message_file.read_text()
    assert "To: newcomer@elsewhere.test" in message
    assert f"/invitations/{token}/" in message
    log = (tmp_path / "worker.log").read_text()
    assert "governance.tasks.notifications_flush" in log and "succeeded" in log
