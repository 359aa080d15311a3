from .rules import active_members


def navigation(request):
    """The organisations the signed-in person belongs to, for the header's switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    members = sorted(active_members(user).values(), key=lambda m: m.organisation.name)
    return {"my_members": members}
