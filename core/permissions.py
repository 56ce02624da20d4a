"""Permission classes: staff roles for people, scopes for partner keys, membership for merchants."""

from rest_framework import permissions

from core.access import api_key_of, has_role, is_platform_staff


class HasRole(permissions.BasePermission):
    """Staff holding one of `roles`. Build with `HasRole.of("risk_officer", ...)`."""

    roles: tuple[str, ...] = ()

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": roles})

    def has_permission(self, request, view) -> bool:
        return api_key_of(request) is None and has_role(request.user, *self.roles)


class HasScope(permissions.BasePermission):
    """A partner key carrying `scope`. Build with `HasScope.of("orders:write")`."""

    scope: str = ""

    @classmethod
    def of(cls, scope: str) -> type["HasScope"]:
        return type(f"HasScope_{scope.replace(':', '_')}", (cls,), {"scope": scope})

    def has_permission(self, request, view) -> bool:
        key = api_key_of(request)
        return key is not None and key.has_scope(self.scope)


class IsPlatformStaff(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return api_key_of(request) is None and is_platform_staff(request.user)


class IsMerchantUser(permissions.BasePermission):
    """A person who is not platform staff; what they see is scoped by their memberships."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return (
            api_key_of(request) is None and user is not None and user.is_authenticated and not is_platform_staff(user)
        )


class CanRead(permissions.BasePermission):
    """Reads: staff, merchant users (scoped later by the selector) and keys with the `read` scope."""

    def has_permission(self, request, view) -> bool:
        key = api_key_of(request)
        if key is not None:
            return key.has_scope("read")
        return bool(request.user and request.user.is_authenticated)
