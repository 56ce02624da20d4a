from core.access import roles_of


def staff_roles(request):
    """The signed-in person's staff roles, so pages show only the links they may follow."""
    user = getattr(request, "user", None)
    return {
        "staff_roles": roles_of(user) if user is not None and user.is_authenticated and user.is_staff else frozenset()
    }
