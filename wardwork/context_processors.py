from wardwork.roles import roles_of


def roles(request):
    """The current user's roles, for the navigation (computed once per request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"roles": roles_of(user)}
