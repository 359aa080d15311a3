"""The starting shapes an organisation can be founded in: a multi-stakeholder co-op, a network, a
council, a congregation of crews, or nothing but its general circle.

A shape is data (`Shape`): its membership classes and weights, the name of its general circle, the
circles under it, roles beyond the core ones, recurring meetings, organisation settings, and the
*extras* that an app higher up the stack or outside this one provides. `shape_build` applies one
through the owning apps' services (each write records its own event), inside the founding
transaction. Every circle gets its core roles (steward, facilitator, secretary and, below the general
circle, delegate) from the roles app, as any new circle does.

Apps add to shapes without this module naming them: a new shape is `shapes.register(key, Shape(...))`,
and what a shape needs from an app that is not here (the network's liquid pot is money's) is an
*extra*: the shape names it (`extras=("liquid_pot",)`) and the app registers a receiver of
`shape_extras` in project/apps.py's `ready()`, called with the organisation, the shape, the founder and
the circles made, after the rest of the shape is built. `extra_providers` says which extras some app
provides, so the page promises only what will be made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from circles.models import Circle
from circles.services import circle_create
from governance.errors import Invalid
from governance.models import Member, MembershipClass, Organisation
from governance.registry import Hook, Registry
from governance.services import membership_class_save, organisation_update
from meetings.models import MeetingSeries
from meetings.services import series_create
from roles.models import ElectionMethod, Selection
from roles.services import role_create


@dataclass(frozen=True)
class ClassSpec:
    name: str
    voting_weight: int
    description: str = ""
    may_vote: bool = True


@dataclass(frozen=True)
class CircleSpec:
    name: str
    purpose: str = ""


@dataclass(frozen=True)
class RoleSpec:
    circle: str  # "" for the general circle, else a CircleSpec's name
    name: str
    purpose: str
    fields: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SeriesSpec:
    circle: str  # "" for the general circle
    title: str
    frequency: str
    weekday: int  # 0 = Monday: the first occurrence is the first such day of next month
    at: time
    minutes: int = 90


@dataclass(frozen=True)
class Shape:
    label: str
    summary: str
    general_circle: str = _("General circle")
    classes: tuple[ClassSpec, ...] = (ClassSpec(_("Members"), 1),)
    circles: tuple[CircleSpec, ...] = ()
    roles: tuple[RoleSpec, ...] = ()
    series: tuple[SeriesSpec, ...] = ()
    settings: dict = field(default_factory=dict)
    extras: tuple[str, ...] = ()
    promises: tuple[str, ...] = ()
    order: int = 100


shapes: Registry[Shape] = Registry("project.shapes")
shape_extras: Hook = Hook(
    "project.shape_extras",
    "shape_extras(organisation=, shape=, key=, founder=, circles=): add what a shape's `extras` name "
    "(an app's own rows, through its own services), inside the founding transaction.",
)
# Extra name -> what it gives, for the page ("a liquid pot"): filled with the receiver that makes it.
extra_providers: Registry[str] = Registry("project.shape_extra_providers")

EMPTY = "empty"

shapes.register(
    "coop",
    Shape(
        label=_("Multi-stakeholder co-op"),
        summary=_("Worker and user members govern together, in a general circle and three operational circles."),
        classes=(
            ClassSpec(
                pgettext_lazy("membership class", "Worker members"), 2, _("People who work for the co-operative.")
            ),
            ClassSpec(
                pgettext_lazy("membership class", "User members"),
                1,
                _("People and organisations who use its services."),
            ),
        ),
        circles=(
            CircleSpec(_("Operations"), _("Membership, finance, legal and the way we govern ourselves.")),
            CircleSpec(_("Services"), _("What we offer, to whom and at what price; listening to our users.")),
            CircleSpec(_("Technology"), _("The tools and systems our members rely on.")),
        ),
        promises=(
            _("Worker members (voting weight 2) and user members (weight 1)"),
            _("A general circle and three operational circles: Operations, Services, Technology"),
            _("Each operational circle with a steward, facilitator, secretary and delegate role"),
        ),
        order=10,
    ),
)
shapes.register(
    "network",
    Shape(
        label=_("Network"),
        summary=_("A light network: one general circle that meets monthly to govern, and a shared pot."),
        series=(SeriesSpec("", _("Monthly governance meeting"), MeetingSeries.Frequency.MONTHLY, 1, time(18, 0)),),
        extras=("liquid_pot",),
        promises=(
            _("A general circle with a steward, facilitator and secretary role"),
            _("A governance meeting every month (the first Tuesday, 18:00), scheduled ahead"),
        ),
        order=20,
    ),
)
shapes.register(
    "council",
    Shape(
        label=_("Council"),
        summary=_("A council whose seats are filled by ballot, with a secretary."),
        general_circle=_("Council"),
        roles=(
            RoleSpec(
                "",
                _("Councillor"),
                _("Sits on the council and takes part in its decisions on behalf of the members."),
                {
                    "seats": 5,
                    "term_months": 24,
                    "term_limit": 2,
                    "selection": Selection.ELECTED,
                    "election_method": ElectionMethod.BALLOT,
                },
            ),
        ),
        promises=(
            _("A council (the general circle) with five councillor seats, filled by ballot for two years"),
            _("A secretary role, with the steward and facilitator roles every circle has"),
        ),
        order=30,
    ),
)
shapes.register(
    "crews",
    Shape(
        label=_("Congregation of crews"),
        summary=_("Small crews of three to eight people, gathered in one congregation."),
        general_circle=_("Congregation"),
        circles=(CircleSpec(_("First crew")), CircleSpec(_("Second crew")), CircleSpec(_("Third crew"))),
        settings={"circle_size_min": 3, "circle_size_max": 8},
        promises=(
            _("A congregation (the general circle) with three crews, each with its core roles"),
            _("Crews of 3 to 8 people: a smaller or larger one gets a gentle notice"),
        ),
        order=40,
    ),
)
shapes.register(
    EMPTY,
    Shape(
        label=_("Empty"),
        summary=_("Only the general circle: build the rest yourselves."),
        promises=(_("A general circle, with you as its steward"),),
        order=90,
    ),
)


def shape_choices() -> list[tuple[str, Shape]]:
    return sorted(shapes.items(), key=lambda item: item[1].order)


def shape_for(key: str) -> Shape:
    shape = shapes.get(key)
    if shape is None:
        choices = ", ".join(k for k, _s in shape_choices())
        raise Invalid(gettext("Choose a starting shape (%(choices)s).") % {"choices": choices}, field="shape")
    return shape


def shape_promises(shape: Shape) -> list[str]:
    """What the page says a shape gives: its own promises, and those of the extras an app provides."""
    return [*shape.promises, *(extra_providers[e] for e in shape.extras if e in extra_providers)]


def _first_weekday_of_next_month(organisation: Organisation, weekday: int, at: time) -> datetime:
    today = timezone.localtime(timezone.now(), organisation.tzinfo).date()
    day = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return timezone.make_aware(datetime.combine(day, at), organisation.tzinfo)


def shape_build(*, organisation: Organisation, key: str, founder: Member) -> dict[str, Circle]:
    """Give a just-founded organisation (its general circle made, named after the shape, and the founder
    its steward) the shape `key`, in the organisation's language. Returns its circles by name ("" for
    the general one)."""
    shape = shape_for(key)
    with translation.override(organisation.language):
        general = Circle.objects.get(organisation=organisation, is_general=True)
        _classes(organisation, shape, founder)
        if shape.settings:
            organisation_update(organisation=organisation, by=founder, **shape.settings)
        circles = {"": general}
        for spec in shape.circles:
            circles[str(spec.name)] = circle_create(
                organisation=organisation, by=founder, name=str(spec.name), parent=general, purpose=str(spec.purpose)
            )
        for spec in shape.roles:
            role_create(
                circle=circles[str(spec.circle)],
                by=founder,
                name=str(spec.name),
                purpose=str(spec.purpose),
                **spec.fields,
            )
        for spec in shape.series:
            starts_at = _first_weekday_of_next_month(organisation, spec.weekday, spec.at)
            series_create(
                circle=circles[str(spec.circle)],
                by=founder,
                title=str(spec.title),
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=spec.minutes),
                frequency=spec.frequency,
            )
        shape_extras(organisation=organisation, shape=shape, key=key, founder=founder, circles=circles)
    return circles


def _classes(organisation: Organisation, shape: Shape, founder: Member) -> None:
    """The shape's membership classes: the first takes the place of the default class, which the
    founder is in; the others are added."""
    first, *others = shape.classes
    default = MembershipClass.objects.get(pk=founder.membership_class_id)
    membership_class_save(
        organisation=organisation,
        by=founder,
        membership_class=default,
        name=str(first.name),
        voting_weight=first.voting_weight,
        may_vote=first.may_vote,
        description=str(first.description),
    )
    for spec in others:
        membership_class_save(
            organisation=organisation,
            by=founder,
            name=str(spec.name),
            voting_weight=spec.voting_weight,
            may_vote=spec.may_vote,
            description=str(spec.description),
        )
