"""Onboarding API: thin serializers and viewsets over onboarding.services and onboarding.selectors."""

import django_filters
from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.access import PLATFORM_ADMIN, REVIEWER, Caller
from core.errors import ErrorResponse409
from core.filters import IdFilter
from core.idempotency import idempotent
from core.permissions import CanRead, HasRole, IsMerchantUser
from core.viewsets import ScopedModelViewSet
from merchants.models import Category
from onboarding import selectors, services
from onboarding.checks import USCC_SHAPE
from onboarding.choices import ApplicationStatus, DocumentType, ItemDecision, RejectionReason
from onboarding.models import Agreement, Application, ApplicationEvent, Document, ReviewCheck

WAITING = (ApplicationStatus.SUBMITTED, ApplicationStatus.AUTO_CHECKING, ApplicationStatus.IN_REVIEW)


class DocumentSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "doc_type",
            "number",
            "issued_on",
            "expires_on",
            "content_type",
            "size",
            "sha256",
            "original_name",
            "file_url",
            "created_at",
        ]
        read_only_fields = fields

    def get_file_url(self, document) -> str:
        return reverse("onboarding:document-file", args=[document.pk])


class CheckSerializer(serializers.ModelSerializer):
    detail = serializers.CharField(read_only=True)

    class Meta:
        model = ReviewCheck
        fields = ["code", "subject", "result", "detail", "checked_at"]
        read_only_fields = fields


class TimelineEntrySerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="to_status")
    at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = ApplicationEvent
        fields = ["from_status", "status", "at", "note", "by_platform"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    legal_name = serializers.CharField(source="merchant.legal_name", read_only=True)
    uscc = serializers.CharField(source="merchant.uscc", read_only=True)
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    checks = CheckSerializer(many=True, read_only=True)
    timeline = TimelineEntrySerializer(source="events", many=True, read_only=True)
    expected_decision_at = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "merchant",
            "legal_name",
            "uscc",
            "status",
            "store_name",
            "business_scope",
            "categories",
            "contact_name",
            "contact_phone",
            "documents",
            "checks",
            "timeline",
            "expected_decision_at",
            "fast_track",
            "sla_breached",
            "submitted_at",
            "decided_at",
            "rejection_reason",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expected_decision_at(self, application):
        """The first decision is due by then (working days after submission); null when not waiting."""
        if application.status in WAITING and application.due_at:
            return serializers.DateTimeField().to_representation(application.due_at)
        return None


class ApplicationCreateSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    uscc = serializers.RegexField(USCC_SHAPE, max_length=18, min_length=18)
    store_name = serializers.CharField(max_length=200)
    categories = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Category.objects.all(), allow_empty=False
    )
    contact_name = serializers.CharField(max_length=100)
    contact_phone = serializers.RegexField(r"^\+?[0-9][0-9 -]{5,30}$", max_length=32)
    business_scope = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ApplicationUpdateSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200, required=False)
    uscc = serializers.RegexField(USCC_SHAPE, max_length=18, min_length=18, required=False)
    store_name = serializers.CharField(max_length=200, required=False)
    categories = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Category.objects.all(), allow_empty=False, required=False
    )
    contact_name = serializers.CharField(max_length=100, required=False)
    contact_phone = serializers.RegexField(r"^\+?[0-9][0-9 -]{5,30}$", max_length=32, required=False)
    business_scope = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A PDF, JPEG or PNG, recognised by its content; 10 MB at most.")
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class AcceptAgreementsSerializer(serializers.Serializer):
    agreements = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=20)


class ApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason_code = serializers.ChoiceField(choices=RejectionReason.choices)
    note = serializers.CharField(max_length=2000)


class RequestChangesSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField(max_length=32), allow_empty=False, max_length=30)
    note = serializers.CharField(max_length=2000)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_staff=True))


class ItemDecisionSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=32)
    decision = serializers.ChoiceField(choices=ItemDecision.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["id", "kind", "version", "title", "body", "published_at"]
        read_only_fields = fields


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices)
    category = django_filters.CharFilter(field_name="categories__code", distinct=True)
    assignee = IdFilter(field_name="assignee_id")
    fast_track = django_filters.BooleanFilter()
    sla_breached = django_filters.BooleanFilter()

    class Meta:
        model = Application
        fields = ["status", "category", "assignee", "fast_track", "sla_breached"]


REVIEWERS = HasRole.of(REVIEWER, PLATFORM_ADMIN)
APPLICANT_ACTIONS = {"create", "partial_update", "submit", "accept_agreements"}
REVIEW_ACTIONS = {"approve", "reject", "request_changes", "claim", "assign", "decide_item"}


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Onboarding applications: a merchant user creates, edits and submits; a reviewer decides."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    ordering_fields = ["created_at", "due_at", "status", "submitted_at"]
    ordering = ["-created_at", "-id"]
    queryset = Application.objects.none()  # for schema generation; get_queryset scopes to the caller

    def get_queryset(self):
        return selectors.application_list(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action in APPLICANT_ACTIONS or (self.action == "documents" and self.request.method == "POST"):
            return [IsMerchantUser()]
        if self.action in REVIEW_ACTIONS:
            return [REVIEWERS()]
        return [CanRead()]

    def _detail(self, pk, code=status.HTTP_200_OK):
        application = selectors.application_get(caller=Caller.of(self.request), pk=pk)
        return Response(ApplicationSerializer(application).data, status=code)

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer})
    @idempotent
    def create(self, request):
        data = ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_start(user=request.user, **data.validated_data)
        return self._detail(application.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationUpdateSerializer, responses={200: ApplicationSerializer, 409: ErrorResponse409})
    def partial_update(self, request, pk=None):
        data = ApplicationUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.application_update(application=self.get_object(), user=request.user, **data.validated_data)
        return self._detail(pk)

    @extend_schema(request=AcceptAgreementsSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"], url_path="accept-agreements")
    def accept_agreements(self, request, pk=None):
        data = AcceptAgreementsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreements_accept(
            application=self.get_object(), user=request.user, agreement_ids=data.validated_data["agreements"]
        )
        return self._detail(pk)

    @extend_schema(methods=["GET"], request=None, responses={200: DocumentSerializer(many=True)}, filters=False)
    @extend_schema(methods=["POST"], request=DocumentUploadSerializer, responses={201: DocumentSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
        ordering_fields=[],
    )
    def documents(self, request, pk=None):
        application = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(application.documents.order_by("id"))
            return self.get_paginated_response(DocumentSerializer(page, many=True).data)
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_upload(application=application, user=request.user, **data.validated_data)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        services.application_submit(application=self.get_object(), user=request.user)
        return self._detail(pk)

    @extend_schema(request=None, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        services.application_claim(application=self.get_object(), reviewer=request.user)
        return self._detail(pk)

    @extend_schema(request=AssignSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_assign(
            application=self.get_object(), assignee=data.validated_data["assignee"], actor=request.user
        )
        return self._detail(pk)

    @extend_schema(request=ItemDecisionSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"], url_path="decide-item")
    def decide_item(self, request, pk=None):
        data = ItemDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_item_decide(application=self.get_object(), reviewer=request.user, **data.validated_data)
        return self._detail(pk)

    @extend_schema(request=ApproveSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_approve(application=self.get_object(), reviewer=request.user, **data.validated_data)
        return self._detail(pk)

    @extend_schema(request=RejectSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_reject(application=self.get_object(), reviewer=request.user, **data.validated_data)
        return self._detail(pk)

    @extend_schema(request=RequestChangesSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        data = RequestChangesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_request_changes(
            application=self.get_object(), reviewer=request.user, **data.validated_data
        )
        return self._detail(pk)


class AgreementViewSet(mixins.ListModelMixin, ScopedModelViewSet):
    """The current version of each agreement; accept them with `…/applications/{id}/accept-agreements/`."""

    serializer_class = AgreementSerializer
    permission_classes = [CanRead]
    filter_backends: list = []
    queryset = Agreement.objects.none()

    def get_queryset(self):
        return selectors.agreements_current()
