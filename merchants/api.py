"""Merchant API: thin serializers and viewsets over merchants.services and merchants.selectors."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER, Caller
from core.idempotency import idempotent
from core.permissions import CanRead, HasRole
from core.selectors import audit_entries_for_merchant, without_internal_notes
from core.viewsets import ScopedModelViewSet
from merchants import selectors, services
from merchants.choices import KycStatus, MerchantStatus, RestrictionReason, Tier
from merchants.models import Category, Merchant


class CategorySerializer(serializers.ModelSerializer):
    required_documents = serializers.SerializerMethodField(
        help_text="Document type codes an applicant for this category must upload."
    )

    class Meta:
        model = Category
        fields = ["code", "name", "name_zh", "required_documents"]

    def get_required_documents(self, category) -> list[str]:
        # Kept by onboarding (CategoryRequirement); prefetched by merchants.selectors.category_list.
        return sorted(requirement.doc_type for requirement in category.requirements.all())


class MerchantSerializer(serializers.ModelSerializer):
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    can_sell = serializers.BooleanField(read_only=True)

    class Meta:
        model = Merchant
        fields = [
            "id",
            "name",
            "legal_name",
            "uscc",
            "status",
            "kyc_status",
            "restriction_reason",
            "tier",
            "credit_score",
            "categories",
            "external_ref",
            "can_sell",
            "created_at",
        ]
        read_only_fields = fields


class MerchantCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    legal_name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    external_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    categories = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Category.objects.all(), required=False, default=list
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RestrictSerializer(ReasonSerializer):
    restriction_reason = serializers.ChoiceField(
        choices=[c for c in RestrictionReason.choices if c[0] != RestrictionReason.EXIT],
        default=RestrictionReason.MANUAL,
    )


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()
    reason = serializers.CharField()

    def to_representation(self, entry):
        data = super().to_representation(entry)
        if not self.context.get("staff_view"):
            data["before"] = without_internal_notes(data["before"])
            data["after"] = without_internal_notes(data["after"])
        return data

    def get_actor(self, entry) -> str:
        # Merchants see that the platform acted, not which employee did.
        if not self.context.get("staff_view") and entry.actor_user_id and entry.actor_user.is_staff:
            return "platform"
        return entry.actor_label


class MerchantFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=MerchantStatus.choices)
    kyc_status = django_filters.MultipleChoiceFilter(choices=KycStatus.choices)
    tier = django_filters.MultipleChoiceFilter(choices=Tier.choices)
    external_ref = django_filters.CharFilter()
    uscc = django_filters.CharFilter()
    category = django_filters.CharFilter(field_name="categories__code", distinct=True)

    class Meta:
        model = Merchant
        fields = ["status", "kyc_status", "tier", "external_ref", "uscc", "category"]


class MerchantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    serializer_class = MerchantSerializer
    filterset_class = MerchantFilter
    ordering_fields = ["created_at", "name", "credit_score", "status"]
    ordering = ["-created_at", "-id"]
    queryset = Merchant.objects.none()  # for schema generation; get_queryset scopes to the caller

    def get_queryset(self):
        return selectors.merchant_list(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action == "create":
            return [HasRole.of(PLATFORM_ADMIN, OPS_MANAGER)()]
        if self.action in ("suspend", "restrict", "reinstate"):
            return [HasRole.of(PLATFORM_ADMIN, OPS_MANAGER, RISK_OFFICER)()]
        return [CanRead()]

    @extend_schema(request=MerchantCreateSerializer, responses={201: MerchantSerializer})
    @idempotent
    def create(self, request):
        data = MerchantCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        merchant = services.merchant_create(actor=Caller.of(request).actor, **data.validated_data)
        merchant = selectors.merchant_get(caller=Caller.of(request), pk=merchant.pk)
        return Response(MerchantSerializer(merchant).data, status=status.HTTP_201_CREATED)

    def _transition(self, request, service, input_serializer):
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        service(merchant=self.get_object(), actor=Caller.of(request).actor, **data.validated_data)
        merchant = selectors.merchant_get(caller=Caller.of(request), pk=self.kwargs["pk"])
        return Response(MerchantSerializer(merchant).data)

    @extend_schema(request=RestrictSerializer, responses={200: MerchantSerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._transition(request, services.merchant_suspend, RestrictSerializer)

    @extend_schema(request=RestrictSerializer, responses={200: MerchantSerializer})
    @action(detail=True, methods=["post"])
    def restrict(self, request, pk=None):
        return self._transition(request, services.merchant_restrict, RestrictSerializer)

    @extend_schema(request=ReasonSerializer, responses={200: MerchantSerializer})
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._transition(request, services.merchant_reinstate, ReasonSerializer)

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=[])
    def history(self, request, pk=None):
        """Who changed what, before and after, and why. Staff see everything; a merchant sees its own
        history without internal notes or staff-only entries."""
        merchant = self.get_object()
        caller = Caller.of(request)
        entries = audit_entries_for_merchant(merchant_id=merchant.pk, staff_view=caller.is_staff)
        page = self.paginate_queryset(entries)
        serializer = HistoryEntrySerializer(page, many=True, context={"staff_view": caller.is_staff})
        return self.get_paginated_response(serializer.data)


class CategoryViewSet(mixins.ListModelMixin, ScopedModelViewSet):
    """The product categories a merchant can apply for."""

    serializer_class = CategorySerializer
    permission_classes = [CanRead]
    filterset_fields = ["code"]
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return selectors.category_list()


class RegisterRequestSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    email = serializers.EmailField()


class RegisterResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()


class RegisterView(APIView):
    """Sign up as a merchant user; then start an onboarding application or be invited to a merchant."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=RegisterRequestSerializer, responses={201: RegisterResponseSerializer}, tags=["auth"])
    def post(self, request):
        from merchants.services import merchant_user_register

        data = RegisterRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = merchant_user_register(**data.validated_data)
        return Response(
            RegisterResponseSerializer({"id": user.pk, "username": user.username, "email": user.email}).data,
            status=status.HTTP_201_CREATED,
        )
