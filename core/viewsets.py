"""The base every API viewset stands on."""

from rest_framework import viewsets


class ScopedObjectMixin:
    """On detail routes, find the object through the caller-scoped queryset before checking rights,
    so another merchant's object is simply not found (404), never forbidden (403)."""

    def check_permissions(self, request):
        lookup = self.lookup_url_kwarg or self.lookup_field
        if lookup in self.kwargs and request.user and request.user.is_authenticated:
            self.get_object()
        super().check_permissions(request)

    def get_object(self):
        cached = getattr(self, "_scoped_object", None)
        if cached is None:
            cached = self._scoped_object = super().get_object()
        return cached


class ScopedModelViewSet(ScopedObjectMixin, viewsets.GenericViewSet):
    pass
