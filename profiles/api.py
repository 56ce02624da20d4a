"""Merchant information API: the profile, change requests and re-verification, over profiles.services."""

import django_filters
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.access import OPS_MANAGER, PLATFORM_ADMIN, REVIEWER, RISK_OFFICER, Caller
from core.filters import IdFilter
from core.permissions import CanRead, HasRole, IsMerchantUser
from core.viewsets import ScopedModelViewSet
from onboarding.choices import DocumentType
from profiles import selectors, services
from profiles.choices import HIGH_RISK_FIELDS, LOW_RISK_FIELDS, SENSITIVE_FIELDS, ChangeRequestStatus
from profiles.models import ChangeProof, ChangeRequest, Profile, ReverificationRound, ReverificationTask

REVIEWERS = HasRole.of(REVIEWER, OPS_MANAGER, PLATFORM_ADMIN)


class ProfileSerializer(serializers.ModelSerializer):
    """Sensitive values are always masked here; a platform admin reveals one with `…/profile/reveal/`."""

    legal_rep_id_number = serializers.SerializerMethodField()
    bank_account_number = serializers.SerializerMethodField()
    store_logo_url = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null while the merchant has no profile saved yet."
    )

    class Meta:
        model = Profile
        fields = [
            "merchant",
            "registered_capital",
            "founded_on",
            "business_scope",
            "province_code",
            "city_code",
            "county_code",
            "address_detail",
            "legal_rep_name",
            "legal_rep_id_number",
            "contact_name",
            "contact_phone",
            "contact_email",
            "bank_name",
            "bank_account_name",
            "bank_account_number",
            "store_logo_url",
            "store_description",
            "payout_hold",
            "updated_at",
        ]
        read_only_fields = fields

    def get_legal_rep_id_number(self, profile) -> str:
        return selectors.masked("legal_rep_id_number", profile.legal_rep_id_number)

    def get_bank_account_number(self, profile) -> str:
        return selectors.masked("bank_account_number", profile.bank_account_number)

    def get_store_logo_url(self, profile) -> str:
        if not profile.store_logo:
            return ""
        return reverse("profiles:logo", args=[profile.merchant_id])


class ProfileUpdateSerializer(serializers.Serializer):
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    store_description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    store_logo = serializers.FileField(required=False)


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=sorted(SENSITIVE_FIELDS))
    reason = serializers.CharField(max_length=2000)


class RevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class ProfileViewSet(ScopedModelViewSet):
    """`GET/PATCH /api/v1/merchants/{id}/profile/`: low-risk fields change at once; the rest need a change request."""

    serializer_class = ProfileSerializer
    queryset = Profile.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends: list = []
    pagination_class = None

    def check_permissions(self, request):
        if request.user and request.user.is_authenticated:
            self.merchant()  # another merchant's profile is not found, whoever asks
        super().check_permissions(request)

    def get_permissions(self):
        if self.action == "partial_update":
            return [IsMerchantUser()]
        if self.action == "reveal":
            return [HasRole.of(PLATFORM_ADMIN)()]
        return [CanRead()]

    def merchant(self):
        if not hasattr(self, "_merchant"):
            self._merchant = selectors.merchant_for_profile(
                caller=Caller.of(self.request), pk=self.kwargs["merchant_pk"]
            )
        return self._merchant

    def _profile(self):
        merchant = selectors.merchant_for_profile(caller=Caller.of(self.request), pk=self.kwargs["merchant_pk"])
        return selectors.profile_of(merchant)

    @extend_schema(responses={200: ProfileSerializer})
    def retrieve(self, request, merchant_pk=None):
        return Response(ProfileSerializer(self._profile()).data)

    @extend_schema(request=ProfileUpdateSerializer, responses={200: ProfileSerializer})
    def partial_update(self, request, merchant_pk=None):
        unknown = sorted(set(request.data) - {*LOW_RISK_FIELDS})
        if unknown:
            raise DRFValidationError(
                {
                    field: [
                        "This field changes through a reviewed change request (…/change-requests/)."
                        if field in HIGH_RISK_FIELDS
                        else "Unknown field."
                    ]
                    for field in unknown
                }
            )
        data = ProfileUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        logo = changes.pop("store_logo", None)
        services.profile_update(merchant=self.merchant(), actor=request.user, changes=changes, logo=logo)
        return Response(ProfileSerializer(self._profile()).data)

    @extend_schema(request=RevealSerializer, responses={200: RevealedSerializer})
    def reveal(self, request, merchant_pk=None):
        data = RevealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        value = services.profile_reveal(merchant=self.merchant(), actor=request.user, **data.validated_data)
        return Response({"field": data.validated_data["field"], "value": value})


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()


class ProofSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeProof
        fields = ["id", "doc_type", "number", "issued_on", "expires_on", "content_type", "size", "created_at"]
        read_only_fields = fields


class ChangeRequestSerializer(serializers.ModelSerializer):
    changes = serializers.SerializerMethodField()
    proofs = ProofSerializer(many=True, read_only=True)
    internal_note = serializers.SerializerMethodField(help_text="Staff only; empty for merchants.")

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "merchant",
            "status",
            "reason",
            "changes",
            "required_documents",
            "proofs",
            "submitted_at",
            "due_at",
            "decided_at",
            "decision_note",
            "internal_note",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(FieldChangeSerializer(many=True))
    def get_changes(self, change_request):
        return [
            {
                "field": change.field,
                "before": selectors.shown(change.field, change.before),
                "after": selectors.shown(change.field, change.after),
            }
            for change in change_request.changes.all()
        ]

    def get_internal_note(self, change_request) -> str:
        return change_request.internal_note if self.context.get("staff_view") else ""


class ChangeRequestCreateSerializer(serializers.Serializer):
    changes = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Field name to the new value; fields: " + ", ".join(HIGH_RISK_FIELDS) + ". Empty to renew documents.",
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ProofUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    internal_note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ChangeRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ChangeRequestStatus.choices)

    class Meta:
        model = ChangeRequest
        fields = ["status"]


MERCHANT_ACTIONS = {"create", "submit", "withdraw", "proofs"}
REVIEW_ACTIONS = {"approve", "reject", "request_more"}


class ChangeRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """`…/merchants/{id}/change-requests/`: high-risk changes with their proof, reviewed by staff."""

    serializer_class = ChangeRequestSerializer
    filterset_class = ChangeRequestFilter
    ordering_fields = ["created_at", "due_at", "status"]
    ordering = ["-created_at", "-id"]
    queryset = ChangeRequest.objects.none()

    def check_permissions(self, request):
        if request.user and request.user.is_authenticated:
            selectors.merchant_for_profile(caller=Caller.of(request), pk=self.kwargs["merchant_pk"])
        super().check_permissions(request)

    def get_queryset(self):
        return selectors.change_request_list(caller=Caller.of(self.request), merchant_id=self.kwargs["merchant_pk"])

    def get_permissions(self):
        if self.action in MERCHANT_ACTIONS and not (self.action == "proofs" and self.request.method == "GET"):
            return [IsMerchantUser()]
        if self.action in REVIEW_ACTIONS:
            return [REVIEWERS()]
        return [CanRead()]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "staff_view": Caller.of(self.request).is_staff}

    def _detail(self, pk, code=status.HTTP_200_OK):
        change_request = self.get_queryset().get(pk=pk)
        return Response(
            ChangeRequestSerializer(change_request, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=ChangeRequestCreateSerializer, responses={201: ChangeRequestSerializer})
    def create(self, request, merchant_pk=None):
        data = ChangeRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        merchant = selectors.merchant_for_profile(caller=Caller.of(request), pk=merchant_pk)
        change_request = services.change_request_create(merchant=merchant, actor=request.user, **data.validated_data)
        return self._detail(change_request.pk, status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses={200: ProofSerializer(many=True)}, filters=False)
    @extend_schema(methods=["POST"], request=ProofUploadSerializer, responses={201: ProofSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
        ordering_fields=[],
    )
    def proofs(self, request, merchant_pk=None, pk=None):
        change_request = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(change_request.proofs.order_by("id"))
            return self.get_paginated_response(ProofSerializer(page, many=True).data)
        data = ProofUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proof = services.change_proof_add(change_request=change_request, actor=request.user, **data.validated_data)
        return Response(ProofSerializer(proof).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, merchant_pk=None, pk=None):
        services.change_request_submit(change_request=self.get_object(), actor=request.user)
        return self._detail(pk)

    @extend_schema(request=None, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, merchant_pk=None, pk=None):
        services.change_request_withdraw(change_request=self.get_object(), actor=request.user)
        return self._detail(pk)

    def _decide(self, request, service):
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service(change_request=self.get_object(), reviewer=request.user, **data.validated_data)
        return self._detail(self.kwargs["pk"])

    @extend_schema(request=DecisionSerializer, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, merchant_pk=None, pk=None):
        return self._decide(request, services.change_request_approve)

    @extend_schema(request=DecisionSerializer, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, merchant_pk=None, pk=None):
        return self._decide(request, services.change_request_reject)

    @extend_schema(request=DecisionSerializer, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"], url_path="request-more")
    def request_more(self, request, merchant_pk=None, pk=None):
        return self._decide(request, services.change_request_request_more)


class ReverificationTaskSerializer(serializers.ModelSerializer):
    round_name = serializers.CharField(source="round.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ReverificationTask
        fields = [
            "id",
            "round",
            "round_name",
            "merchant",
            "status",
            "due_on",
            "overdue",
            "completed_at",
            "change_request",
        ]
        read_only_fields = fields

    def get_overdue(self, task) -> bool:
        return task.status == "open" and task.due_on < timezone.localdate()


class ReverificationTaskFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    round = IdFilter()
    merchant = IdFilter()
    status = django_filters.ChoiceFilter(choices=ReverificationTask._meta.get_field("status").choices)

    class Meta:
        model = ReverificationTask
        fields = ["overdue", "round", "merchant", "status"]

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        if value:
            return queryset.filter(status="open", due_on__lt=today)
        return queryset.exclude(status="open", due_on__lt=today)


class ReverificationTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Each merchant's task to confirm or update its information; `?overdue=true` lists the late ones."""

    serializer_class = ReverificationTaskSerializer
    filterset_class = ReverificationTaskFilter
    ordering_fields = ["due_on", "created_at"]
    ordering = ["due_on", "id"]
    queryset = ReverificationTask.objects.none()

    def get_queryset(self):
        return selectors.reverification_tasks_of(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action == "confirm":
            return [IsMerchantUser()]
        return [CanRead()]

    @extend_schema(request=None, responses={200: ReverificationTaskSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        task = services.reverification_confirm(task=self.get_object(), actor=request.user)
        return Response(ReverificationTaskSerializer(self.get_queryset().get(pk=task.pk)).data)


class ReverificationRoundSerializer(serializers.ModelSerializer):
    task_count = serializers.IntegerField(read_only=True)
    open_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReverificationRound
        fields = ["id", "name", "criteria", "due_on", "task_count", "open_count", "created_at"]
        read_only_fields = fields


class RoundCriteriaSerializer(serializers.Serializer):
    licence_issued_before = serializers.DateField(required=False)
    category = serializers.SlugField(required=False)
    status = serializers.ChoiceField(choices=["active", "restricted", "suspended", "exiting"], required=False)
    tier = serializers.ChoiceField(choices=["A", "B", "C", "D"], required=False)


class ReverificationRoundCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    criteria = RoundCriteriaSerializer(required=False, allow_null=True, default=dict)


class ReverificationRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Staff start a round for the merchants matching a filter; each gets a task."""

    serializer_class = ReverificationRoundSerializer
    filter_backends: list = []
    queryset = ReverificationRound.objects.none()

    def get_queryset(self):
        return selectors.reverification_rounds().order_by("-created_at", "-id")

    def get_permissions(self):
        if self.action == "create":
            return [HasRole.of(OPS_MANAGER, PLATFORM_ADMIN)()]
        return [HasRole.of(OPS_MANAGER, PLATFORM_ADMIN, REVIEWER, RISK_OFFICER)()]

    @extend_schema(request=ReverificationRoundCreateSerializer, responses={201: ReverificationRoundSerializer})
    def create(self, request):
        data = ReverificationRoundCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        criteria = {key: str(value) for key, value in (data.validated_data["criteria"] or {}).items()}
        round_ = services.reverification_round_start(
            name=data.validated_data["name"],
            due_on=data.validated_data["due_on"],
            criteria=criteria,
            actor=request.user,
        )
        return Response(
            ReverificationRoundSerializer(self.get_queryset().get(pk=round_.pk)).data, status=status.HTTP_201_CREATED
        )
