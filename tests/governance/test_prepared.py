"""governance.prepared: a query compiled once and run with each call's values gives what the
queryset itself gives, for every value, on the database the suite runs on; and the mistakes that
would keep one call's values for the next (the clock read inside, an argument changed inside, a
shape that follows the values) are refused at the first call."""

from datetime import date, datetime, timedelta

import pytest
from django.db.models import Exists, OuterRef
from django.utils import timezone

from governance.models import Member
from governance.prepared import Prepared, prepared
from meetings.models import ActionItem
from roles.models import Role, RoleAssignment
from tests.factories import make_circle, make_member, make_organisation

pytestmark = pytest.mark.django_db


@prepared
def _members_of(organisation_id: int, joined_after: datetime):
    return (
        Member.objects.filter(organisation_id=organisation_id, joined_at__gt=joined_after)
        .order_by("pk")
        .values_list("pk", "joined_at", "organisation__slug")
    )


@prepared
def _stewards_at(member_id: int, now: datetime):
    steward = RoleAssignment.objects.current(now).filter(member_id=OuterRef("pk"), role__kind=Role.Kind.STEWARD)
    return Member.objects.filter(pk=member_id).filter(Exists(steward)).values_list("pk", flat=True)


@prepared
def _actions_until(owner_id: int, until: date, title: str):
    return ActionItem.objects.filter(owner_id=owner_id, due__lte=until, title=title).values_list("pk", "due")


def test_rows_are_the_querysets_for_each_value(django_assert_num_queries):
    organisation = make_organisation()
    other = make_organisation("Other Co-op")
    members = [make_member(organisation) for _ in range(3)] + [make_member(other)]
    times = sorted(Member.objects.values_list("joined_at", flat=True))
    for org in (organisation, other):
        for moment in [times[0] - timedelta(days=1), *times]:
            expected = list(_members_of.queryset(organisation_id=org.pk, joined_after=moment))
            with django_assert_num_queries(1):
                found = _members_of(organisation_id=org.pk, joined_after=moment)
            assert found == expected
    # The datetimes come back as Django gives them: aware, equal to the stored ones.
    assert {row[0]: row[1] for row in _members_of(organisation_id=other.pk, joined_after=times[0] - timedelta(days=1))}[
        members[-1].pk
    ] == Member.objects.get(pk=members[-1].pk).joined_at


def test_the_moment_is_each_calls_own():
    organisation = make_organisation()
    member = make_member(organisation)
    make_circle(organisation, "Finance", steward=member)
    started = RoleAssignment.objects.get(member=member, role__kind=Role.Kind.STEWARD).started_at
    assert _stewards_at(member_id=member.pk, now=timezone.now()) == [member.pk]
    # Before the term started, the same prepared query finds no stewardship: the moment is the call's.
    assert _stewards_at(member_id=member.pk, now=started - timedelta(seconds=1)) == []
    assert _stewards_at(member_id=member.pk + 1000, now=timezone.now()) == []


def test_dates_and_text_are_arguments_too():
    organisation = make_organisation()
    member = make_member(organisation)
    circle = make_circle(organisation)
    today = timezone.localdate()
    item = ActionItem.objects.create(
        organisation=organisation, circle=circle, owner=member, title="Book the room", due=today
    )
    assert _actions_until(owner_id=member.pk, until=today, title="Book the room") == [(item.pk, today)]
    assert _actions_until(owner_id=member.pk, until=today - timedelta(days=1), title="Book the room") == []
    assert _actions_until(owner_id=member.pk, until=today, title="Book a room") == []
    # A marker-like value is only a value: quotes and NUL-free text are passed as parameters.
    assert _actions_until(owner_id=member.pk, until=today, title="'; DROP TABLE x; --") == []


def test_the_clock_read_inside_is_refused():
    # RoleAssignment.objects.current() without a moment reads the clock while the query is built:
    # prepared once, it would keep the first call's moment for every later call.
    @prepared
    def stewards(member_id: int):
        return RoleAssignment.objects.current().filter(member_id=member_id).values_list("pk", flat=True)

    with pytest.raises(ValueError, match="changes from one build to the next"):
        stewards(member_id=1)


def test_an_argument_changed_inside_is_refused():
    @prepared
    def joined_within(organisation_id: int, now: datetime):
        return Member.objects.filter(
            organisation_id=organisation_id, joined_at__gt=now - timedelta(days=7)
        ).values_list("pk", flat=True)

    with pytest.raises(ValueError, match="now did not reach the SQL"):
        joined_within(organisation_id=1, now=timezone.now())


def test_a_shape_that_follows_the_values_is_refused():
    @prepared
    def some(count: int):
        # A list whose length follows the argument: as many placeholders as items.
        return Member.objects.filter(pk__in=list(range(count % 3 + 1)), pk__gt=count).values_list("pk", flat=True)

    @prepared
    def none_for_negative(count: int):
        return Member.objects.filter(pk__in=list(range(max(count, 0)))).values_list("pk", flat=True)

    with pytest.raises(ValueError, match="changes from one build to the next"):
        some(count=3)
    with pytest.raises(ValueError, match="matches nothing for its markers"):
        none_for_negative(count=3)


def test_only_values_lists_and_typed_arguments():
    @prepared
    def as_dicts(organisation_id: int):
        return Member.objects.filter(organisation_id=organisation_id).values("pk")

    @prepared
    def prefetched(organisation_id: int):
        return Member.objects.filter(organisation_id=organisation_id).prefetch_related("circle_memberships")

    with pytest.raises(TypeError, match="values_list"):
        as_dicts(organisation_id=1)
    with pytest.raises(TypeError, match="prefetch_related"):
        prefetched(organisation_id=1)
    with pytest.raises(TypeError, match="annotated"):
        Prepared(lambda organisation_id: Member.objects.none())
    with pytest.raises(TypeError, match="takes organisation_id, joined_after"):
        _members_of(organisation_id=1)


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="aware"):
        _members_of(organisation_id=1, joined_after=datetime(2026, 1, 1))
