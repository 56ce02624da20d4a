"""Violations API: thin serializers and viewsets over credit.services.violations and credit.selectors.violations.

Risk officers report violations and run `investigate`, `evidence`, `decide`, `rule-appeal`, `close` and
`settle-fine`; the merchant (its people, or its merchant key) reads its own and uses `appeal`. Staff open a
violation from an upheld complaint with `POST /api/v1/complaints/{id}/open-violation/`.
"""

import django_filters
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from complaints import selectors as complaint_selectors
from complaints.models import Complaint
from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER, Caller
from core.models import Scope
from core.permissions import CanRead, HasRole, IsMerchantUser
from core.uploads import accept_upload
from core.viewsets import ScopedModelViewSet
from credit.choices import (
    MAX_EVIDENCE_FILES,
    MAX_POINTS,
    AppealRuling,
    FineStatus,
    Measure,
    Severity,
    ViolationCategory,
    ViolationSource,
    ViolationStatus,
)
from credit.models import Violation, ViolationAppeal, ViolationEvidence, ViolationMeasure
from credit.selectors import violations as selectors
from credit.services import violations as services
from merchants.selectors import merchant_get

Officer = HasRole.of(RISK_OFFICER, PLATFORM_ADMIN)
ComplaintEscalator = HasRole.of(RISK_OFFICER, OPS_MANAGER, PLATFORM_ADMIN)


class MerchantAppellant(permissions.BasePermission):
    """The merchant's own people, and its merchant-scoped keys with `complaints:write` (the scope for case work)."""

    def has_permission(self, request, view) -> bool:
        caller = Caller.of(request)
        if caller.api_key is not None:
            return caller.api_key.merchant_id is not None and caller.api_key.has_scope(Scope.COMPLAINTS_WRITE)
        return IsMerchantUser().has_permission(request, view)


# --- Output ---------------------------------------------------------------------------------------


class ViolationEvidenceSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField(
        help_text="Where a signed-in person (the merchant's people, staff) downloads the file; null for a note."
    )

    class Meta:
        model = ViolationEvidence
        fields = ["id", "appeal", "note", "file_name", "content_type", "size", "file_url", "added_by_label",
                  "created_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_url(self, obj) -> str | None:
        if not obj.file:
            return None
        return reverse("credit_portal:violation-evidence-file", kwargs={"pk": obj.pk})


class ViolationAppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = ViolationAppeal
        fields = ["root_cause", "corrective_action", "preventive_action", "submitted_by_label", "submitted_at",
                  "ruling", "ruling_reason", "ruled_by", "ruled_at"]  # fmt: skip
        read_only_fields = fields


class ViolationMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ViolationMeasure
        fields = ["id", "origin", "kind", "threshold", "points_total", "violation_ids", "starts_at", "ends_at",
                  "lifted_at", "lift_reason"]  # fmt: skip
        read_only_fields = fields


class ViolationSerializer(serializers.ModelSerializer):
    evidence = ViolationEvidenceSerializer(many=True, read_only=True)
    appeal = serializers.SerializerMethodField()
    measures = ViolationMeasureSerializer(many=True, read_only=True)

    class Meta:
        model = Violation
        fields = [
            "id",
            "merchant",
            "category",
            "severity",
            "points",
            "status",
            "measure",
            "description",
            "source",
            "complaint",
            "source_ref",
            "reported_by",
            "reported_at",
            "investigator",
            "investigation_started_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "measure_starts_at",
            "measure_ends_at",
            "fine_amount",
            "fine_currency",
            "fine_status",
            "appeal_due_at",
            "points_reversed_at",
            "closed_at",
            "evidence",
            "appeal",
            "measures",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "points": {"help_text": "Points the decision gave; they count for 12 months unless an appeal is upheld."},
            "measure": {"help_text": "The measure decided for this violation (empty until decided)."},
        }

    @extend_schema_field(ViolationAppealSerializer(allow_null=True))
    def get_appeal(self, obj):
        appeal = getattr(obj, "appeal", None)  # the reverse one-to-one raises (an AttributeError) when absent
        return ViolationAppealSerializer(appeal).data if appeal is not None else None


# --- Input ----------------------------------------------------------------------------------------


# Upload problems, named here so the schema documents every code a file can be refused with.
UPLOAD_ERRORS = {
    "invalid": _("The submitted data was not a file."),
    "no_name": _("No filename could be determined."),
    "empty_file": _("The file is empty."),
    "too_large": _("The file is too large."),
    "unsupported_type": _("Upload a PDF, JPEG or PNG file."),
    "damaged_image": _("The image is damaged."),
    "too_many_pixels": _("The image has too many pixels; scan it at a lower resolution."),
}


class EvidenceFileField(serializers.FileField):
    """A file accepted by its content under the onboarding upload rules (core.uploads)."""

    default_error_messages = UPLOAD_ERRORS

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_empty_file", True)  # an empty file is refused below, as `empty_file`
        kwargs.setdefault("help_text", "A PDF, JPEG or PNG, recognised by its content; 10 MB at most.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        upload = super().to_internal_value(data)
        try:
            accept_upload(upload, max_bytes=settings.ONBOARDING_UPLOAD_MAX_BYTES)
        except DjangoValidationError as error:
            refused = error.error_dict["file"][0]
            raise serializers.ValidationError(
                refused.messages[0], code={"empty": "empty_file"}.get(refused.code, refused.code)
            ) from None
        return upload


class EvidenceFilesField(serializers.ListField):
    """Several evidence files; a refused one is reported on the list itself, with the file's code."""

    default_error_messages = UPLOAD_ERRORS

    def __init__(self, **kwargs):
        super().__init__(child=EvidenceFileField(), required=False, default=list, max_length=MAX_EVIDENCE_FILES,
                         help_text="PDF, JPEG or PNG files, recognised by their content; 10 MB each at most.",
                         **kwargs)  # fmt: skip

    def run_child_validation(self, data):
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as error:
            first = next(iter(error.detail.values())) if isinstance(error.detail, dict) else error.detail
            refused = first[0] if isinstance(first, list) else first
            code = refused.code if refused.code in UPLOAD_ERRORS else "invalid"
            raise serializers.ValidationError(str(refused), code=code) from None


class ViolationReportSerializer(serializers.Serializer):
    merchant = serializers.IntegerField(min_value=1)
    category = serializers.ChoiceField(choices=ViolationCategory.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    description = serializers.CharField(max_length=services.MAX_TEXT)
    note = serializers.CharField(max_length=services.MAX_TEXT, required=False, allow_blank=True, default="")
    files = EvidenceFilesField()


class ViolationInvestigateSerializer(serializers.Serializer):
    investigator = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=services.MAX_TEXT, required=False, allow_blank=True, default="")


class ViolationEvidenceInputSerializer(serializers.Serializer):
    file = EvidenceFileField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=services.MAX_TEXT, required=False, allow_blank=True, default="")


class ViolationDecideSerializer(serializers.Serializer):
    measure = serializers.ChoiceField(choices=Measure.choices)
    reason = serializers.CharField(max_length=services.MAX_TEXT)
    points = serializers.IntegerField(
        min_value=0, max_value=MAX_POINTS, required=False, allow_null=True, default=None,
        help_text="Defaults to the severity's points (minor 2, serious 6, severe 12).",
    )  # fmt: skip
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, allow_null=True, default=None)
    fine_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None, min_value=0
    )
    measure_days = serializers.IntegerField(
        min_value=1, max_value=365, required=False, allow_null=True, default=None,
        help_text="How long a restriction or suspension lasts (7 and 14 days by default).",
    )  # fmt: skip


class ViolationAppealInputSerializer(serializers.Serializer):
    root_cause = serializers.CharField(max_length=services.MAX_TEXT)
    corrective_action = serializers.CharField(max_length=services.MAX_TEXT)
    preventive_action = serializers.CharField(max_length=services.MAX_TEXT)
    files = EvidenceFilesField()


class ViolationRuleAppealSerializer(serializers.Serializer):
    ruling = serializers.ChoiceField(choices=AppealRuling.choices)
    reason = serializers.CharField(max_length=services.MAX_TEXT)


class ViolationCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ViolationSettleFineSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s, FineStatus(s).label) for s in ("paid", "waived", "refunded")])
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ComplaintOpenViolationSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ViolationCategory.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default=Severity.MINOR)
    description = serializers.CharField(max_length=services.MAX_TEXT, required=False, allow_blank=True, default="")


# --- Views ----------------------------------------------------------------------------------------


class ViolationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ViolationStatus.choices)
    category = django_filters.MultipleChoiceFilter(choices=ViolationCategory.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    source = django_filters.MultipleChoiceFilter(choices=ViolationSource.choices)
    measure = django_filters.MultipleChoiceFilter(choices=Measure.choices)
    decided_after = django_filters.IsoDateTimeFilter(field_name="decided_at", lookup_expr="gte")
    decided_before = django_filters.IsoDateTimeFilter(field_name="decided_at", lookup_expr="lt")

    class Meta:
        model = Violation
        fields = ["merchant", "status", "category", "severity", "source", "measure", "complaint", "fine_status"]


class ViolationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Violations, newest report first; transitions are POST actions."""

    serializer_class = ViolationSerializer
    filterset_class = ViolationFilter
    ordering_fields = ["reported_at", "decided_at", "points"]
    ordering = ["-reported_at", "-id"]
    queryset = Violation.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.violation_list(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [CanRead()]
        if self.action == "appeal":
            return [MerchantAppellant()]
        return [Officer()]

    def _read(self, pk, *, code=status.HTTP_200_OK) -> Response:
        return Response(ViolationSerializer(selectors.violation_get(caller=Caller.of(self.request), pk=pk)).data,
                        status=code)  # fmt: skip

    def _input(self, serializer_class) -> dict:
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    @extend_schema(request=ViolationReportSerializer, responses={201: ViolationSerializer})
    def create(self, request):
        fields = self._input(ViolationReportSerializer)
        try:
            merchant = merchant_get(caller=Caller.of(request), pk=fields.pop("merchant"))
        except Http404:
            raise exceptions.ValidationError({"merchant": [_("Unknown merchant.")]}) from None
        violation = services.violation_report(merchant=merchant, actor=request.user, **fields)
        return self._read(violation.pk, code=status.HTTP_201_CREATED)

    @extend_schema(request=ViolationInvestigateSerializer, responses={200: ViolationSerializer})
    @action(detail=True, methods=["post"])
    def investigate(self, request, pk=None):
        fields = self._input(ViolationInvestigateSerializer)
        investigator = None
        if fields["investigator"]:
            investigator = get_user_model().objects.filter(pk=fields["investigator"], is_active=True).first()
            if investigator is None:
                raise exceptions.ValidationError({"investigator": [_("Unknown risk officer.")]})
        services.violation_investigate(
            violation=self.get_object(), actor=request.user, investigator=investigator, note=fields["note"]
        )
        return self._read(pk)

    @extend_schema(request=ViolationEvidenceInputSerializer, responses={201: ViolationEvidenceSerializer})
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        fields = self._input(ViolationEvidenceInputSerializer)
        item = services.violation_evidence_add(violation=self.get_object(), actor=request.user, **fields)
        return Response(ViolationEvidenceSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ViolationDecideSerializer, responses={200: ViolationSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        fields = self._input(ViolationDecideSerializer)
        services.violation_decide(violation=self.get_object(), actor=request.user, **fields)
        return self._read(pk)

    @extend_schema(request=ViolationAppealInputSerializer, responses={200: ViolationSerializer})
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None):
        fields = self._input(ViolationAppealInputSerializer)
        services.violation_appeal(violation=self.get_object(), actor=Caller.of(request).actor, **fields)
        return self._read(pk)

    @extend_schema(request=ViolationRuleAppealSerializer, responses={200: ViolationSerializer})
    @action(detail=True, methods=["post"], url_path="rule-appeal")
    def rule_appeal(self, request, pk=None):
        fields = self._input(ViolationRuleAppealSerializer)
        services.violation_appeal_rule(violation=self.get_object(), actor=request.user, **fields)
        return self._read(pk)

    @extend_schema(request=ViolationCloseSerializer, responses={200: ViolationSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        fields = self._input(ViolationCloseSerializer)
        services.violation_close(violation=self.get_object(), actor=request.user, **fields)
        return self._read(pk)

    @extend_schema(request=ViolationSettleFineSerializer, responses={200: ViolationSerializer})
    @action(detail=True, methods=["post"], url_path="settle-fine")
    def settle_fine(self, request, pk=None):
        fields = self._input(ViolationSettleFineSerializer)
        services.violation_fine_settle(violation=self.get_object(), actor=request.user, **fields)
        return self._read(pk)


class ComplaintViolationViewSet(ScopedModelViewSet):
    """`POST /api/v1/complaints/{id}/open-violation/`: an upheld complaint opens a violation, once (a repeat
    answers 200 with the violation it opened; the first time is 201)."""

    queryset = Complaint.objects.none()
    permission_classes = [ComplaintEscalator]

    def get_queryset(self):
        return complaint_selectors.complaint_list(caller=Caller.of(self.request))

    @extend_schema(
        request=ComplaintOpenViolationSerializer, responses={200: ViolationSerializer, 201: ViolationSerializer}
    )
    @action(detail=True, methods=["post"], url_path="open-violation")
    def open_violation(self, request, pk=None):
        data = ComplaintOpenViolationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        violation, created = services.violation_open_from_complaint(
            complaint=self.get_object(), actor=request.user, **data.validated_data
        )
        body = ViolationSerializer(selectors.violation_get(caller=Caller.of(request), pk=violation.pk)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
