"""The demo cooperative: a general circle with three sub-circles, each with a steward and a roster,
about twelve members in two membership classes. Every step checks what exists first, so loading it
twice changes nothing. Later capabilities add their own steps to DEMO_STEPS."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from circles.models import Circle, CircleMembership
from circles.services import roster_add
from elections import demo as elections_demo
from governance.models import Member, MembershipClass, Organisation, User
from governance.services import member_add, membership_class_save
from meetings import demo as meetings_demo
from money import demo as money_demo
from polls import demo as polls_demo
from proposals import demo as proposals_demo
from record import demo as record_demo
from roles import demo as roles_demo
from roles.models import Role, RoleAssignment
from roles.services import steward_assign

from . import structure_demo
from .workflows import organisation_found

DEMO_SLUG = "commons-cloud"
DEMO_PASSWORD = "demo-password"  # noqa: S105 -- printed for the demo on purpose
DEMO_DOMAIN = "example.coop"

# name, class ("worker" or "user"), admin?
PEOPLE = [
    ("Alice Okafor", "worker", True),
    ("Ben Laurent", "worker", False),
    ("Chiara Rossi", "worker", False),
    ("Dev Patel", "worker", False),
    ("Elena Sokolova", "worker", False),
    ("Farid Haddad", "worker", False),
    ("Kemi Adeyemi", "worker", False),
    ("Grace Mensah", "user", False),
    ("Hiro Tanaka", "user", False),
    ("Ines Garcia", "user", False),
    ("Jonas Berg", "user", False),
    ("Liam OBrien", "user", False),
]

# Who reads the demo in a language of their own choosing.
LANGUAGES = {"Farid Haddad": "fr", "Ines Garcia": "es"}

CIRCLES = [
    {
        "name": "Organisational Operations",
        "steward": "Ben Laurent",
        "roster": ["Elena Sokolova", "Grace Mensah", "Jonas Berg", "Alice Okafor"],
        "purpose": "Keep the co-operative running: membership, finance, legal and the way we govern ourselves.",
        "domains": "- Membership records and onboarding\n- Bookkeeping, budgets and invoicing\n- Governance documents",
        "accountabilities": "- Welcoming new members within a week\n- Publishing the accounts each quarter\n"
        "- Keeping the rules of the co-operative up to date",
    },
    {
        "name": "Product Strategy and Services",
        "steward": "Chiara Rossi",
        "roster": ["Farid Haddad", "Hiro Tanaka", "Ines Garcia", "Kemi Adeyemi"],
        "purpose": "Decide what we offer, to whom and at what price, and listen to the people who use it.",
        "domains": "- The service catalogue and pricing\n- User research and support\n- Outreach",
        "accountabilities": "- A roadmap reviewed each quarter\n- Answering support requests within two days",
    },
    {
        "name": "Technology Operations",
        "steward": "Dev Patel",
        "roster": ["Farid Haddad", "Kemi Adeyemi", "Liam OBrien", "Elena Sokolova"],
        "purpose": "Run the platform our members rely on: reliable, secure and privacy-respecting.",
        "domains": "- Servers, backups and monitoring\n- Security and incident response\n- Software we run",
        "accountabilities": "- Backups tested monthly\n- Incidents reported to members within a day",
    },
]


def email_of(name: str) -> str:
    return f"{name.split()[0].lower()}@{DEMO_DOMAIN}"


def _users() -> dict[str, User]:
    users = {}
    for name, _, _ in PEOPLE:
        user = User.objects.filter(email=email_of(name)).first()
        if user is None:
            user = User.objects.create_user(email=email_of(name), password=DEMO_PASSWORD, name=name)
        users[name] = user
    # Two members read the site in their own language (the Language page), the others in the co-op's.
    for name, language in LANGUAGES.items():
        User.objects.filter(pk=users[name].pk, language="").update(language=language)
    if not User.objects.filter(email=f"admin@{DEMO_DOMAIN}").exists():
        User.objects.create_superuser(email=f"admin@{DEMO_DOMAIN}", password=DEMO_PASSWORD, name="Site Admin")
    # The demo's addresses go nowhere: count them as confirmed, so that the printed logins log in.
    for user in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}"):
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return users


def _organisation(users) -> Organisation:
    organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
    if organisation is None:
        organisation = organisation_found(
            name="Commons Cloud Co-operative",
            slug=DEMO_SLUG,
            creator=users["Alice Okafor"],
            time_zone="Europe/London",
            general_circle_name="General Circle",
            description="A multi-stakeholder co-operative running online meeting and hosting services for its "
            "members. Worker members and user members govern it together, in circles.",
        )
    return organisation


def _classes(organisation, founder: Member) -> dict[str, MembershipClass]:
    classes = {}
    spec = {
        "worker": ("Worker members", 2, "People who work for the co-operative."),
        "user": ("User members", 1, "Organisations and people who use the services."),
    }
    for key, (name, weight, description) in spec.items():
        found = MembershipClass.objects.filter(organisation=organisation, name=name).first()
        classes[key] = found or membership_class_save(
            organisation=organisation,
            by=founder,
            name=name,
            voting_weight=weight,
            may_vote=True,
            description=description,
        )
    return classes


@transaction.atomic
def load_demo() -> Organisation:
    users = _users()
    organisation = _organisation(users)
    founder = Member.objects.get(organisation=organisation, user=users["Alice Okafor"])
    classes = _classes(organisation, founder)
    if founder.membership_class != classes["worker"]:
        founder.membership_class = classes["worker"]
        founder.save(update_fields=["membership_class"])
    members = {"Alice Okafor": founder}
    for name, kind, is_admin in PEOPLE[1:]:
        member = Member.objects.filter(organisation=organisation, user=users[name]).first()
        members[name] = member or member_add(
            organisation=organisation, user=users[name], membership_class=classes[kind], by=founder, is_admin=is_admin
        )
    # The three circles are the general circle's decision: its changes created them, with their stewards.
    proposals_demo.circles_adopt(
        organisation=organisation,
        author=founder,
        circles=[{**spec, "steward": members[spec["steward"]]} for spec in CIRCLES],
        voters=[members[name] for name in ("Ben Laurent", "Dev Patel", "Grace Mensah", "Hiro Tanaka")],
    )
    for spec in CIRCLES:
        circle = Circle.objects.get(organisation=organisation, name=spec["name"])
        steward = members[spec["steward"]]
        has_steward = RoleAssignment.objects.current().filter(role__circle=circle, role__kind=Role.Kind.STEWARD)
        if not has_steward.exists():
            steward_assign(circle=circle, member=steward, by=founder)
        for name in spec["roster"]:
            if not CircleMembership.objects.current().filter(circle=circle, member=members[name]).exists():
                roster_add(circle=circle, member=members[name], by=steward)
    for step in demo_steps():
        step(organisation=organisation, members=members)
    return organisation


def demo_steps():
    """Each capability's demo data, in order; each step takes (organisation=, members=) and is idempotent."""
    return [
        proposals_demo.load,
        roles_demo.load,
        elections_demo.load,
        meetings_demo.load,
        polls_demo.load,
        structure_demo.load,
        money_demo.load,
        record_demo.load,
    ]


def demo_logins() -> list[tuple[str, str]]:
    """Who to log in as to try each role: the site admin (who is no member of the co-op), its admin,
    each circle's steward, and the holders of the facilitator and secretary roles (from roles.demo),
    who host the meetings and publish agendas and minutes."""
    rows = [(f"admin@{DEMO_DOMAIN}", "Django admin (superuser), not a member of the co-op")]
    rows.append((email_of("Alice Okafor"), "organisation admin, steward of the General Circle"))
    for spec in CIRCLES:
        rows.append((email_of(spec["steward"]), f"steward of {spec['name']}"))
    classes = {name: kind for name, kind, _admin in PEOPLE}
    holders: dict[str, list[str]] = {}
    for circle, role, person, _days in roles_demo.TERMS:
        if role in ("Facilitator", "Secretary"):
            holders.setdefault(person, []).append(f"{role.lower()} of {circle}")
    names = {"fr": "French", "es": "Spanish", "de": "German"}
    for person, roles in holders.items():
        reads = f", reads the site in {names[LANGUAGES[person]]}" if person in LANGUAGES else ""
        rows.append((email_of(person), f"{classes[person]} member, {', '.join(roles)}{reads}"))
    for person, language in LANGUAGES.items():
        if person not in holders:
            rows.append((email_of(person), f"{classes[person]} member, reads the site in {names[language]}"))
    return rows
