"""The Django admin: a caller of the services like any other, unable to rewrite governance history,
and reached only through allauth's rate-limited login."""

import socket

import pytest
from django.contrib import admin
from django.urls import reverse

from circles.models import Circle, CircleMembership
from governance.models import ApiToken, Event, Invitation, Member, Notification, Organisation, User
from governance.services import invitation_create, notifications_queue
from roles.models import Role, RoleAssignment
from tests.factories import UserFactory, make_circle

OUR_APPS = {"governance", "circles", "roles"}


@pytest.fixture
def site_admin(db):
    return User.objects.create_superuser(email="root@site.test", password="pw-for-tests-1", name="Site Admin")


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


def url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def run_action(client, model, action, objects):
    return client.post(url(model), {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True)


# Getting in ------------------------------------------------------------------------------------


def test_it_sends_the_admin_login_to_allauths_login_with_next(client, db):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2F"


def test_it_ignores_a_next_that_leads_off_the_site(client, db):
    response = client.get("/admin/login/", {"next": "https://evil.example/"})

    assert response.url == "/accounts/login/?next=%2Fadmin%2F"


def test_it_sends_a_signed_in_admin_on_to_where_they_were_going(admin_client):
    response = admin_client.get("/admin/login/", {"next": "/admin/circles/circle/"})

    assert response.status_code == 302 and response.url == "/admin/circles/circle/"


def test_it_refuses_the_admin_to_a_signed_in_person_who_is_not_staff_instead_of_looping(client, world):
    client.force_login(world.mia)

    assert client.get("/admin/login/", {"next": "/admin/"}).status_code == 403


def test_it_opens_every_list_and_add_page_of_our_models(admin_client, world):
    registered = [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]
    assert {Organisation, Member, Circle, CircleMembership, Role, RoleAssignment, Event, Notification} <= set(
        registered
    )

    for model in registered:
        assert admin_client.get(url(model)).status_code == 200, model
        assert admin_client.get(url(model), {"q": "a"}).status_code == 200, model
        model_admin = admin.site._registry[model]
        if model_admin.has_add_permission(admin_client.request().wsgi_request):
            assert admin_client.get(url(model, "add")).status_code == 200, model
        obj = model.objects.first()
        if obj is not None:
            assert admin_client.get(url(model, "change", obj.pk)).status_code == 200, model


# History cannot be rewritten ------------------------------------------------------------------


def test_it_shows_events_read_only(admin_client, world):
    event = Event.objects.first()

    page = admin_client.get(url(Event, "change", event.pk))

    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client.get(url(Event, "add")).status_code == 403
    assert admin_client.get(url(Event, "delete", event.pk)).status_code == 403
    assert admin_client.post(url(Event, "change", event.pk), {"verb": "x"}).status_code == 403


def test_it_never_deletes_rosters_assignments_circles_or_members(admin_client, world):
    membership = CircleMembership.objects.first()
    assignment = RoleAssignment.objects.first()

    for model, obj in [
        (CircleMembership, membership),
        (RoleAssignment, assignment),
        (Circle, world.finance),
        (Member, world.member(world.mia)),
    ]:
        assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert model.objects.filter(pk=obj.pk).exists()


def test_it_ends_a_roster_membership_through_the_service_with_its_reason(admin_client, world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)

    response = admin_client.post(url(CircleMembership, "change", membership.pk), {"removal_reason": "Moved on"})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_at is not None and membership.removal_reason == "Moved on"
    assert Event.objects.filter(verb="roster.removed", object_id=membership.pk).exists()


def test_it_makes_an_ended_roster_membership_read_only(admin_client, world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)
    admin_client.post(url(CircleMembership, "change", membership.pk), {"removal_reason": "Moved on"})

    page = admin_client.get(url(CircleMembership, "change", membership.pk))
    refused = admin_client.post(url(CircleMembership, "change", membership.pk), {"removal_reason": "Rewritten"})

    assert b'name="_save"' not in page.content
    assert refused.status_code == 403
    membership.refresh_from_db()
    assert membership.removal_reason == "Moved on"


def test_it_shows_the_services_refusal_on_the_form_and_saves_nothing(admin_client, world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.steve)

    response = admin_client.post(url(CircleMembership, "change", membership.pk), {"removal_reason": "Stepping back"})

    assert response.status_code == 200
    assert "assign another steward first" in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_current


def test_it_ends_a_role_assignment_with_a_reason_and_then_keeps_it_read_only(admin_client, world):
    assignment = RoleAssignment.objects.current().get(role__circle=world.outreach, role__kind=Role.Kind.STEWARD)

    admin_client.post(url(RoleAssignment, "change", assignment.pk), {"end_reason": "resigned"})

    assignment.refresh_from_db()
    assert assignment.end_reason == "resigned" and assignment.ended_at is not None
    assert admin_client.post(url(RoleAssignment, "change", assignment.pk), {"end_reason": "removed"}).status_code == 403


def test_it_assigns_a_steward_through_the_steward_rule_replacing_the_current_one(admin_client, world):
    role = Role.objects.get(circle=world.finance, kind=Role.Kind.STEWARD)
    nora = world.member(world.nora)

    response = admin_client.post(url(RoleAssignment, "add"), {"role": role.pk, "member": nora.pk})

    assert response.status_code == 302
    current = RoleAssignment.objects.current().get(role=role)
    assert current.member == nora
    assert CircleMembership.objects.current().filter(circle=world.finance, member=nora).exists()


# Circles --------------------------------------------------------------------------------------


def test_it_archives_selected_circles_through_the_service(admin_client, world):
    response = run_action(admin_client, Circle, "archive_selected", [world.outreach])

    world.outreach.refresh_from_db()
    assert world.outreach.is_archived
    assert Event.objects.filter(verb="circle.archived", object_id=world.outreach.pk).exists()
    assert "Circles archived: 1." in messages_of(response)


def test_it_reports_each_circle_the_service_refuses_to_archive(admin_client, world):
    make_circle(world.organisation, "Budget", parent=world.finance)

    response = run_action(admin_client, Circle, "archive_selected", [world.finance, world.general])

    assert not Circle.objects.filter(archived_at__isnull=False).exists()
    shown = messages_of(response)
    assert "Finance: Archive or move this circle's sub-circles first." in shown
    assert "General circle: The general circle cannot be archived." in shown


def test_it_restores_an_archived_circle(admin_client, world):
    run_action(admin_client, Circle, "archive_selected", [world.outreach])

    run_action(admin_client, Circle, "restore_selected", [world.outreach])

    world.outreach.refresh_from_db()
    assert not world.outreach.is_archived


def test_it_creates_a_circle_with_its_steward_role(admin_client, world):
    response = admin_client.post(
        url(Circle, "add"),
        {
            "organisation": world.organisation.pk,
            "parent": world.general.pk,
            "name": "Tech",
            "purpose": "",
            "domains": "",
            "accountabilities": "",
        },
    )

    assert response.status_code == 302
    circle = Circle.objects.get(organisation=world.organisation, name="Tech")
    assert circle.slug == "tech" and Role.objects.filter(circle=circle, kind=Role.Kind.STEWARD).exists()


def test_it_refuses_to_move_a_circle_into_its_own_sub_circle_and_keeps_the_form(admin_client, world):
    budget = make_circle(world.organisation, "Budget", parent=world.finance)

    response = admin_client.post(
        url(Circle, "change", world.finance.pk),
        {
            "parent": budget.pk,
            "name": "Finance (renamed)",
            "purpose": "",
            "domains": "",
            "accountabilities": "",
            # The read-only roster inline's management form, as the page sends it.
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "A circle cannot sit inside itself" in response.content.decode()
    assert "Finance (renamed)" in response.content.decode()
    world.finance.refresh_from_db()
    assert world.finance.parent == world.general and world.finance.name == "Finance"


# Organisations, people, invitations, tokens, notifications ------------------------------------


def test_it_creates_an_organisation_whole_through_the_service(admin_client, db):
    founder = UserFactory(email="fay@coop.test")

    response = admin_client.post(
        url(Organisation, "add"), {"name": "Bread Co-op", "slug": "", "creator": founder.pk, "time_zone": "UTC"}
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Bread Co-op")
    assert organisation.slug == "bread-co-op"
    assert organisation.circles.get().is_general
    assert Member.objects.get(organisation=organisation, user=founder).is_admin


def test_it_refuses_to_take_admin_rights_from_the_last_admin(admin_client, world):
    alice = world.member(world.alice)

    response = admin_client.post(
        url(Member, "change", alice.pk), {"membership_class": alice.membership_class_id, "leave_reason": ""}
    )

    assert response.status_code == 200
    assert "last admin" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_admin


def test_it_ends_a_membership_with_a_reason_and_welcomes_the_member_back(admin_client, world):
    nora = world.member(world.nora)

    admin_client.post(
        url(Member, "change", nora.pk), {"membership_class": nora.membership_class_id, "leave_reason": "Moved away"}
    )
    nora.refresh_from_db()
    assert nora.status == Member.Status.LEFT and nora.left_reason == "Moved away"

    run_action(admin_client, Member, "rejoin_selected", [nora])
    nora.refresh_from_db()
    assert nora.is_active


def test_it_adds_a_user_who_logs_in_by_email(admin_client, client, db):
    response = admin_client.post(
        url(User, "add"),
        {
            "email": "Pat@Coop.TEST",
            "name": "Pat Person",
            "usable_password": "true",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="pat@coop.test")
    assert user.name == "Pat Person" and user.check_password("a-long-passphrase-42")


def test_it_refuses_a_second_user_with_the_same_email_in_another_case(admin_client, world):
    response = admin_client.post(
        url(User, "add"),
        {
            "email": "MIA@acme.test",
            "usable_password": "true",
            "password1": "x-long-pass-99",
            "password2": "x-long-pass-99",
        },
    )

    assert response.status_code == 200
    assert User.objects.filter(email__iexact="mia@acme.test").count() == 1


def test_it_revokes_selected_invitations(admin_client, world):
    invitation, _ = invitation_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        email="new@elsewhere.test",
        membership_class=world.organisation.membership_classes.get(),
    )

    response = run_action(admin_client, Invitation, "revoke_selected", [invitation])
    again = run_action(admin_client, Invitation, "revoke_selected", [invitation])

    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert "Invitations revoked: 1." in messages_of(response)
    assert any("already been revoked" in m for m in messages_of(again))


def test_it_shows_a_new_api_token_once_and_never_its_hash(admin_client, world):
    response = admin_client.post(
        url(ApiToken, "add"),
        {"user": world.mia.pk, "name": "Sync script", "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )

    token = ApiToken.objects.get(name="Sync script")
    (shown,) = [m for m in messages_of(response) if "not shown again" in m]
    key = shown.rsplit(" ", 1)[-1]
    assert ApiToken.hash_key(key) == token.key_hash and key.startswith(token.prefix)
    page = admin_client.get(url(ApiToken, "change", token.pk)).content.decode()
    assert token.prefix in page and token.key_hash not in page and key not in page


def test_it_retries_a_notification_now_and_reports_a_failure(admin_client, world, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    notifications_queue(recipients=[world.mia], kind="test", key="k:1", subject="Hello", body="Hi")
    notification = Notification.objects.get()

    response = run_action(admin_client, Notification, "retry_now", [notification])

    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.sent_at is None
    assert any(m.startswith("Could not send 1") for m in messages_of(response))

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = run_action(admin_client, Notification, "retry_now", [notification])

    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert "Sent: 1." in messages_of(response)


def test_the_busiest_lists_cost_the_same_number_of_queries_however_many_rows(admin_client, world):
    def queries_for(model):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url(model)).status_code == 200
        return len(captured)

    models = [Circle, CircleMembership, RoleAssignment, Member, Organisation, Event, Invitation]
    before = {model: queries_for(model) for model in models}
    for n in range(8):
        circle = make_circle(world.organisation, f"Working group {n}", steward=world.member(world.nora))
        invitation_create(
            organisation=world.organisation,
            by=world.member(world.alice),
            email=f"guest{n}@elsewhere.test",
            membership_class=world.organisation.membership_classes.get(),
            circle=circle,
        )

    assert {model: queries_for(model) for model in models} == before


def test_it_shows_webhook_endpoints_and_deliveries_read_only_and_never_the_secret(admin_client, world):
    from governance.models import WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(
        organisation=world.organisation,
        url="https://hooks.example.org/governance",
        secret="a-signing-secret-nobody-should-see",
        event_types=["circle.created"],
    )
    event = Event.objects.filter(organisation=world.organisation).first()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, event_type=event.verb, payload={"verb": event.verb}
    )

    for model, obj in [(WebhookEndpoint, endpoint), (WebhookDelivery, delivery)]:
        assert admin_client.get(url(model)).status_code == 200
        page = admin_client.get(url(model, "change", obj.pk))
        assert page.status_code == 200 and b'name="_save"' not in page.content
        assert b"a-signing-secret-nobody-should-see" not in page.content
        assert admin_client.get(url(model, "add")).status_code == 403
        assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
