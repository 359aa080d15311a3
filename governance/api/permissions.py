"""The API's one permission class: it maps a view's action to named rules (see the apps' rules.py).

Visibility is not decided here. Every viewset's queryset holds only what the caller may see (the
organisations they are an active member of), so anything else is a 404 before a rule is asked.
This class answers the next question, on an object the caller can see: may they do this action?
"""

import rules
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def resolve(obj, path: str | None):
    """Follow a dotted attribute path from obj ("circle", "circle.organisation"); None stays None."""
    for attr in path.split(".") if path else ():
        if obj is None:
            return None
        obj = getattr(obj, attr)
    return obj


class RulePermission(BasePermission):
    """Tests `view.rules[view.action]` with `rules.test_rule` on the object of the request.

    An entry is a rule name, tested on the object itself, or a `(rule name, attribute path)` pair,
    tested on the object the rule is about (a roster row's "circle", a member's "organisation").
    A list of entries grants the action when any of them does. Actions without an entry need only
    a logged-in caller; reads are limited by the queryset.

    A creation has no object yet: the view builds the unsaved row from the validated input and calls
    `check_object_permissions` with it, so that a creation is judged by the same entries.
    """

    message = _("You are not allowed to do that.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        entries = getattr(view, "rules", {}).get(view.action)
        if entries is None:
            return True
        if isinstance(entries, str | tuple):
            entries = [entries]
        for entry in entries:
            name, path = (entry, None) if isinstance(entry, str) else entry
            target = resolve(obj, path)
            if target is not None and rules.test_rule(name, request.user, target):
                return True
        return False
