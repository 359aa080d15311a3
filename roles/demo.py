"""Demo roles: role definitions in every circle, the core roles filled, some terms ending soon and a
vacancy. Each piece is looked up first, so loading the demo twice adds nothing. (Elections under way
are elections' demo: elections/demo.py.)"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from circles.models import Circle

from .models import ElectionMethod, Role, RoleAssignment, Selection
from .services import role_assign, role_create

GENERAL = "General Circle"
OPS = "Organisational Operations"
PRODUCT = "Product Strategy and Services"
TECH = "Technology Operations"

CUSTOM_ROLES = {
    GENERAL: [
        {
            "name": "Treasurer",
            "purpose": "Looks after the co-operative's money and reports on it to the members.",
            "accountabilities": ["Presenting the accounts each quarter", "Keeping the budget honest"],
            "time_hours": Decimal(4),
            "term_months": 12,
            "term_limit": 2,
        },
        {
            "name": "Board member",
            "purpose": "Holds the legal responsibilities of a director on behalf of the members.",
            "accountabilities": ["Signing off the annual accounts", "Representing the co-operative legally"],
            "time_hours": Decimal(6),
            "time_period": "month",
            "seats": 3,
            "term_months": 24,
            "term_limit": 2,
            "selection": Selection.ELECTED,
            "election_method": ElectionMethod.BALLOT,
        },
    ],
    OPS: [
        {
            "name": "Bookkeeper",
            "purpose": "Keeps the books so that the treasurer can report on them.",
            "accountabilities": ["Recording every invoice within a week", "Monthly bank reconciliation"],
            "time_hours": Decimal(8),
            "is_paid": True,
            "term_months": 12,
        },
        {
            "name": "Membership secretary",
            "purpose": "Welcomes new members and keeps the register of members.",
            "accountabilities": ["Answering applications within a week", "Keeping the register up to date"],
            "time_hours": Decimal(2),
            "term_months": 6,
            "term_limit": 3,
            "auto_renew": True,
        },
    ],
    PRODUCT: [
        {
            "name": "Support lead",
            "purpose": "Makes sure every support request gets a kind and timely answer.",
            "accountabilities": ["Answering support requests within two days", "Reporting recurring problems"],
            "time_hours": Decimal(5),
            "is_paid": True,
            "term_months": 6,
            "term_limit": 2,
        },
    ],
    TECH: [
        {
            "name": "Security lead",
            "purpose": "Keeps our members' data safe.",
            "domains": "- Security policies\n- Incident response",
            "accountabilities": ["Reviewing access every quarter", "Leading incident response"],
            "time_hours": Decimal(3),
            "term_months": 12,
            "term_limit": 2,
        },
        {
            "name": "On-call coordinator",
            "purpose": "Keeps the on-call rota fair and filled.",
            "accountabilities": ["Publishing the rota a month ahead"],
            "time_hours": Decimal(1),
            "term_months": 3,
            "term_limit": 4,
            "auto_renew": True,
        },
    ],
}

# circle, role name, member, days since the term started (None: from today).
TERMS = [
    (GENERAL, "Facilitator", "Grace Mensah", 353),  # ends in 12 days
    (GENERAL, "Secretary", "Jonas Berg", 120),
    (GENERAL, "Treasurer", "Elena Sokolova", 200),
    (OPS, "Facilitator", "Elena Sokolova", 90),
    (OPS, "Secretary", "Grace Mensah", 30),
    (OPS, "Delegate", "Jonas Berg", 60),
    (OPS, "Bookkeeper", "Alice Okafor", 300),
    (OPS, "Membership secretary", "Jonas Berg", 160),  # ends in about three weeks, renews
    (PRODUCT, "Facilitator", "Ines Garcia", 345),  # ends in 20 days: a selection is under way
    (PRODUCT, "Secretary", "Hiro Tanaka", 100),
    (PRODUCT, "Delegate", "Farid Haddad", 40),
    (TECH, "Facilitator", "Kemi Adeyemi", 150),
    (TECH, "Secretary", "Liam OBrien", 10),
    (TECH, "Delegate", "Farid Haddad", 200),
    (TECH, "Security lead", "Farid Haddad", 330),  # ends in about a month
    (TECH, "On-call coordinator", "Liam OBrien", 85),  # ends in days
]


def circles_by_name(organisation) -> dict[str, Circle]:
    return {c.name: c for c in Circle.objects.filter(organisation=organisation)}


def load(*, organisation, members):
    circles = circles_by_name(organisation)
    alice = members["Alice Okafor"]
    for circle_name, specs in CUSTOM_ROLES.items():
        circle = circles.get(circle_name)
        if circle is None:
            continue
        for spec in specs:
            if not Role.objects.filter(circle=circle, name=spec["name"]).exists():
                role_create(circle=circle, by=None, **spec)  # the demo's seed; decisions: structure_demo
    now = timezone.now()
    for circle_name, role_name, person, days_ago in TERMS:
        circle = circles.get(circle_name)
        role = Role.objects.filter(circle=circle, name=role_name, archived_at__isnull=True).first()
        if role is None or RoleAssignment.objects.filter(role=role).exists():
            continue
        role_assign(role=role, member=members[person], by=alice, started_at=now - timedelta(days=days_ago))
