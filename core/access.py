"""Who is calling: a staff member with roles, a merchant user, or a partner key with scopes."""

from django.contrib.auth.models import Group

from core.models import ApiKey

REVIEWER = "reviewer"
RISK_OFFICER = "risk_officer"
SUPPORT_AGENT = "support_agent"
OPS_MANAGER = "ops_manager"
PLATFORM_ADMIN = "platform_admin"
STAFF_ROLES = (REVIEWER, RISK_OFFICER, SUPPORT_AGENT, OPS_MANAGER, PLATFORM_ADMIN)


def api_key_of(request) -> ApiKey | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None


def roles_of(user) -> frozenset[str]:
    """The staff roles a user holds, read once per request."""
    if user is None or not user.is_authenticated or getattr(user, "pk", None) is None:
        return frozenset()
    cached = getattr(user, "_merchantops_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(STAFF_ROLES)
        else:
            names = Group.objects.filter(user=user, name__in=STAFF_ROLES).values_list("name", flat=True)
            cached = frozenset(names)
        user._merchantops_roles = cached
    return cached


def is_platform_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff and roles_of(user))


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles)) if user is not None and user.is_staff else False


class Caller:
    """The one who makes a request: a person (staff or merchant user) or a partner key."""

    __slots__ = ("user", "api_key")

    def __init__(self, *, user=None, api_key: ApiKey | None = None):
        self.user = user
        self.api_key = api_key

    @classmethod
    def of(cls, request) -> "Caller":
        key = api_key_of(request)
        if key is not None:
            return cls(api_key=key)
        return cls(user=request.user)

    @property
    def actor(self):
        """Who the audit trail names."""
        return self.api_key if self.api_key is not None else self.user

    @property
    def is_staff(self) -> bool:
        return self.api_key is None and is_platform_staff(self.user)


def staff_role_required(*roles: str):
    """For staff pages: sign in through the staff console, then hold one of `roles` or get 403."""
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.core.exceptions import PermissionDenied

    def decorate(view):
        @login_required(login_url="admin:login")
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
