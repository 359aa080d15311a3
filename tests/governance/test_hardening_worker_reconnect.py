"""A real Celery worker outlives a broker outage: its Redis is killed and started again, and the worker,
still running, delivers what is queued afterwards."""

import pytest

from governance.models import Notification
from governance.services import invitation_create
from tests.factories import UserFactory, make_organisation
from tests.redis_server import (
    celery_broker,
    redis_server,  # noqa: F401 -- a fixture
)
from tests.worker import celery_worker, wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def broker(redis_server):  # noqa: F811
    """The test process sends tasks to the test's own Redis, as the worker reads them from it."""
    with celery_broker(redis_server.url()):
        yield redis_server


def test_the_worker_reconnects_after_the_broker_comes_back(transactional_db, tmp_path, broker):
    organisation = make_organisation("Outage Co-op", admin=UserFactory(email="ada@outage.test"))
    log_path = tmp_path / "worker.log"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {"REDIS_URL": broker.url(), "EMAIL_URL": f"filemail:///{mail_dir}"}

    with celery_worker(log_path=log_path, env=env) as worker:
        broker.stop()
        lost = wait_for(lambda: b"Connection to broker lost" in log_path.read_bytes(), timeout=10, process=worker)
        assert lost, log_path.read_text()
        broker.start()
        back = wait_for(lambda: log_path.read_bytes().count(b"Connected to redis") >= 2, timeout=20, process=worker)
        assert back, log_path.read_text()

        invitation, _token = invitation_create(
            organisation=organisation,
            by=organisation.members.get(),
            email="after-the-outage@elsewhere.test",
            membership_class=organisation.membership_classes.get(),
        )
        notification = Notification.objects.get(kind="invitation", key=f"invitation:{invitation.pk}")
        sent = wait_for(
            lambda: Notification.objects.filter(pk=notification.pk, sent_at__isnull=False).exists(),
            timeout=20,
            process=worker,
        )
        assert sent, log_path.read_text()
        assert worker.poll() is None

    (message,) = mail_dir.iterdir()
    assert "To: after-the-outage@elsewhere.test" in message.read_text()
    assert "Unrecoverable error" not in log_path.read_text()
