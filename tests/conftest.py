"""Shared personas. In the organisation "Acme Co-op":

- alice: organisation admin
- steve: steward of the Finance circle (and on its roster)
- mia: member, on the Finance roster
- otto: steward of the Outreach circle, not in Finance
- nora: member of the organisation, in no circle
- olga: member of another organisation ("Other Co-op"), where she is admin
- oscar: an outsider with an account and no organisation
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import translation

from governance.dispatch import _import_tasks as tasks_known
from governance.models import Member, Organisation, User
from tests.factories import UserFactory, make_circle, make_member, make_organisation


def pytest_configure(config):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    organisation: Organisation
    general: object
    finance: object
    outreach: object
    alice: User
    steve: User
    mia: User
    otto: User
    nora: User
    olga: User
    oscar: User
    other: Organisation

    def member(self, user) -> Member:
        return Member.objects.get(organisation=self.organisation, user=user)


def make_world() -> World:
    """The personas above, made through the services."""
    alice = UserFactory(email="alice@acme.test", name="Alice Admin")
    organisation = make_organisation("Acme Co-op", admin=alice, slug="acme")
    steve_m = make_member(organisation, user=UserFactory(email="steve@acme.test", name="Steve Steward"))
    otto_m = make_member(organisation, user=UserFactory(email="otto@acme.test", name="Otto Other-Steward"))
    finance = make_circle(organisation, "Finance", steward=steve_m)
    outreach = make_circle(organisation, "Outreach", steward=otto_m)
    mia = make_member(organisation, user=UserFactory(email="mia@acme.test", name="Mia Member"), circles=[finance])
    nora = make_member(organisation, user=UserFactory(email="nora@acme.test", name="Nora Nocircle"))
    olga = UserFactory(email="olga@other.test", name="Olga Other-Org")
    other = make_organisation("Other Co-op", admin=olga, slug="other")
    return World(
        organisation=organisation,
        general=organisation.circles.get(is_general=True),
        finance=finance,
        outreach=outreach,
        alice=alice,
        steve=steve_m.user,
        mia=mia.user,
        otto=otto_m.user,
        nora=nora.user,
        olga=olga,
        oscar=UserFactory(email="oscar@outside.test", name="Oscar Outsider"),
        other=other,
    )


@pytest.fixture(scope="session", autouse=True)
def celery_tasks_known():
    """Celery learns the tasks on the first enqueue of a process, and its Django fix-up runs
    django.setup() then, which configures logging again and drops the handlers a test's caplog put
    on the root logger. Done once per process here, before any test captures logs, whatever the
    order the tests run in."""
    tasks_known()


@pytest.fixture(autouse=True)
def english_unless_asked():
    """Each test starts in the site's default language, whatever language the previous test's last
    request activated in this thread (a request in French leaves French active after it answers)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker) -> World:
    """The same personas, made once for a whole module of many cheap cases (the permission grids), in
    a transaction rolled back when the module ends. A test using it also asks for `db`, so that it runs
    in a savepoint of its own and what one case writes is gone before the next. Objects keep what they
    read (rules.py caches a user's memberships on the user object): re-fetch them in each case."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_world()
        transaction.set_rollback(True)


@pytest.fixture
def as_user(client):
    """Log the test client in as a user: `as_user(world.mia)`."""

    def login(user):
        client.force_login(user)
        return client

    return login
