"""Core API: token authentication for people, webhook endpoints with their delivery log, regions."""

import django_filters
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core import selectors, services
from core.access import OPS_MANAGER, PLATFORM_ADMIN, Caller, has_role
from core.idempotency import idempotent
from core.models import DeliveryStatus, Region, RegionLevel, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from core.permissions import CanRead, IsMerchantUser
from core.viewsets import ScopedModelViewSet
from core.webhooks import EVENT_TYPES, webhook_delivery_replay


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed logins for this account from this address. Try again later.")
    default_code = "locked_out"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <token>`)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        return "Token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer}, tags=["auth"])
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            raise LockedOut()
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("Wrong username or password."))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# --- Webhook endpoints and their delivery log ------------------------------------------------


class WebhookEndpointSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(min_length=16, max_length=128, write_only=True)
    event_types = serializers.MultipleChoiceField(choices=EVENT_TYPES, allow_empty=False)
    merchant = serializers.IntegerField(source="merchant_id", allow_null=True, required=False)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "merchant", "url", "secret", "event_types", "is_active", "created_at"]
        read_only_fields = ["id", "created_at"]


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    secret = serializers.CharField(min_length=16, max_length=128, write_only=True, required=False)
    event_types = serializers.MultipleChoiceField(choices=EVENT_TYPES, allow_empty=False, required=False)
    is_active = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "status_code", "error", "duration_ms", "attempted_at"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempts = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "payload",
            "status",
            "attempt_count",
            "last_status_code",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "attempts",
        ]
        read_only_fields = fields


class CanManageWebhooks(permissions.BasePermission):
    """Partner keys, merchant users (for their merchants) and platform admins or ops managers."""

    def has_permission(self, request, view) -> bool:
        caller = Caller.of(request)
        if caller.api_key is not None:
            return True
        if caller.is_staff:
            return has_role(caller.user, PLATFORM_ADMIN, OPS_MANAGER)
        return IsMerchantUser().has_permission(request, view)


class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ScopedModelViewSet
):
    """Register a URL to receive signed events (see the signature format in the README)."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = [CanManageWebhooks]
    filterset_fields = ["merchant", "is_active"]
    ordering_fields = ["created_at"]
    queryset = WebhookEndpoint.objects.none()

    def get_queryset(self):
        return selectors.webhook_endpoint_list(caller=Caller.of(self.request))

    def _merchant_for_caller(self, requested: int | None) -> int | None:
        caller = Caller.of(self.request)
        if caller.api_key is not None and caller.api_key.merchant_id is not None:
            if requested not in (None, caller.api_key.merchant_id):
                raise exceptions.ValidationError({"merchant": [_("This key acts for another merchant.")]})
            return caller.api_key.merchant_id
        if caller.api_key is None and not caller.is_staff:
            member_of = set(caller.user.memberships.values_list("merchant_id", flat=True))
            if requested is None and len(member_of) == 1:
                return next(iter(member_of))
            if requested not in member_of:
                raise exceptions.ValidationError({"merchant": [_("Choose one of your merchants.")]})
        return requested

    @extend_schema(request=WebhookEndpointSerializer, responses={201: WebhookEndpointSerializer})
    @idempotent
    def create(self, request):
        data = WebhookEndpointSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        merchant_id = self._merchant_for_caller(fields.get("merchant_id"))
        if (
            merchant_id is not None
            and not WebhookEndpoint._meta.get_field("merchant").related_model.objects.filter(pk=merchant_id).exists()
        ):
            raise exceptions.ValidationError({"merchant": [_("Unknown merchant.")]})
        endpoint = services.webhook_endpoint_create(
            url=fields["url"],
            secret=fields["secret"],
            event_types=fields["event_types"],
            merchant_id=merchant_id,
            actor=Caller.of(request).actor,
        )
        return Response(WebhookEndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookEndpointUpdateSerializer, responses={200: WebhookEndpointSerializer})
    def partial_update(self, request, pk=None):
        data = WebhookEndpointUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_update(
            endpoint=self.get_object(), actor=Caller.of(request).actor, **data.validated_data
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    def perform_destroy(self, instance):
        # Deactivated, not deleted: the delivery log stays.
        services.webhook_endpoint_update(endpoint=instance, actor=Caller.of(self.request).actor, is_active=False)


class WebhookDeliveryFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.ChoiceFilter(choices=[(t, t) for t in EVENT_TYPES])

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status", "event_type"]


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """The delivery log: each event sent to an endpoint, with every attempt and its status code."""

    serializer_class = WebhookDeliverySerializer
    permission_classes = [CanManageWebhooks]
    filterset_class = WebhookDeliveryFilter
    ordering_fields = ["created_at"]
    queryset = WebhookDelivery.objects.none()

    def get_queryset(self):
        return selectors.webhook_delivery_list(caller=Caller.of(self.request))

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        delivery = webhook_delivery_replay(delivery=self.get_object(), actor=Caller.of(request).actor)
        delivery = selectors.webhook_delivery_list(caller=Caller.of(request)).get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


# --- Regions ---------------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "country", "deliverable"]
        read_only_fields = fields


class RegionFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code")
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices)

    class Meta:
        model = Region
        fields = ["parent", "level", "country", "deliverable"]


class RegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """China's administrative divisions and other countries' subdivisions that orders ship to."""

    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    permission_classes = [CanRead]
    lookup_field = "code"
    ordering_fields = ["code"]
    queryset = Region.objects.none()

    def get_queryset(self):
        return selectors.region_list()
