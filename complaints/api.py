"""Complaints API: thin serializers and viewsets over complaints.services and complaints.selectors."""

from datetime import timedelta

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import selectors, services
from complaints.choices import (
    Category,
    Channel,
    ComplaintStatus,
    DisputeOutcome,
    Outcome,
    Party,
    Remedy,
)
from complaints.models import Complaint, ComplaintEvidence, Dispute, DisputeDocument, MediationProposal
from complaints.uploads import read_upload
from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER, SUPPORT_AGENT, Caller
from core.idempotency import idempotent
from core.models import Scope
from core.permissions import CanRead, HasRole, IsMerchantUser
from core.viewsets import ScopedModelViewSet
from merchants.selectors import merchant_get
from orders.models import Order

CaseHandler = HasRole.of(SUPPORT_AGENT, OPS_MANAGER, PLATFORM_ADMIN)
AnalyticsReader = HasRole.of(SUPPORT_AGENT, OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER)


class ComplainantSide(permissions.BasePermission):
    """Buyers speak through platform-wide partner keys with `complaints:write`; staff record for them."""

    def has_permission(self, request, view) -> bool:
        caller = Caller.of(request)
        if caller.api_key is not None:
            return caller.api_key.merchant_id is None and caller.api_key.has_scope(Scope.COMPLAINTS_WRITE)
        return CaseHandler().has_permission(request, view)


class MerchantSide(permissions.BasePermission):
    """The merchant's own people, and its merchant-scoped keys with `complaints:write`."""

    def has_permission(self, request, view) -> bool:
        caller = Caller.of(request)
        if caller.api_key is not None:
            return caller.api_key.merchant_id is not None and caller.api_key.has_scope(Scope.COMPLAINTS_WRITE)
        return IsMerchantUser().has_permission(request, view)


def party_of(request) -> str | None:
    if MerchantSide().has_permission(request, None):
        return Party.MERCHANT
    if ComplainantSide().has_permission(request, None) and Caller.of(request).api_key is not None:
        return Party.COMPLAINANT
    return None


# --- Complaints ------------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComplaintEvidence
        fields = ["id", "kind", "data", "file_name", "content_type", "size", "added_by", "created_at"]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    dispute = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "merchant",
            "order",
            "category",
            "channel",
            "description",
            "status",
            "due_at",
            "urgency",
            "classified_by",
            "complainant_ref",
            "carrier",
            "tracking_number",
            "received_at",
            "ack_due_at",
            "acknowledged_at",
            "assigned_to",
            "ack_breached_at",
            "resolve_breached_at",
            "supervisor_escalated_at",
            "merchant_response_due_at",
            "merchant_response",
            "merchant_responded_at",
            "outcome",
            "remedy",
            "remedy_amount",
            "resolution_note",
            "resolved_at",
            "decided_at",
            "obligation_status",
            "obligation_due_at",
            "obligation_done_at",
            "rating",
            "rating_comment",
            "closed_at",
            "dispute",
        ]
        read_only_fields = fields

    def get_dispute(self, obj) -> int | None:
        dispute = getattr(obj, "dispute", None)
        return dispute.pk if dispute else None


class ComplaintDetailSerializer(ComplaintSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "evidence"]
        read_only_fields = fields


class ComplaintCreateSerializer(serializers.Serializer):
    merchant = serializers.IntegerField(min_value=1)
    order = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.ONLINE)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=services.MAX_DESCRIPTION)
    complainant_ref = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    complainant_email = serializers.EmailField(required=False, allow_blank=True, default="")


class ComplaintAssignSerializer(serializers.Serializer):
    agent = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class ResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    remedy = serializers.ChoiceField(choices=Remedy.choices)
    remedy_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    obligation_days = serializers.IntegerField(min_value=1, max_value=90, required=False, default=7)


class EscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None, min_value=0
    )


class RateSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class RespondSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=services.MAX_DESCRIPTION)


class FulfilSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CorrectCategorySerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ComplaintStatus.choices)
    category = django_filters.MultipleChoiceFilter(choices=Category.choices)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices)
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    breached = django_filters.BooleanFilter(field_name="supervisor_escalated_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Complaint
        fields = ["merchant", "order", "status", "category", "channel", "assigned_to", "outcome", "complainant_ref"]


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Complaints from every channel. Transitions and case work are POST actions."""

    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter
    ordering_fields = ["received_at", "due_at"]
    ordering = ["-received_at", "-id"]
    queryset = Complaint.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.complaint_list(caller=Caller.of(self.request))

    def get_serializer_class(self):
        return ComplaintDetailSerializer if self.action != "list" else ComplaintSerializer

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [CanRead()]
        if self.action == "create":
            return [ComplainantSide()]
        if self.action in ("escalate", "rate"):
            return [ComplainantSide()]
        if self.action in ("respond", "fulfil"):
            return [MerchantSide()]
        if self.action == "evidence":
            return [(ComplainantSide | MerchantSide)()]
        return [CaseHandler()]

    def get_object(self):
        cached = getattr(self, "_scoped_object", None)
        if cached is None:
            cached = self._scoped_object = selectors.complaint_get(caller=Caller.of(self.request), pk=self.kwargs["pk"])
        return cached

    def _read(self, pk) -> dict:
        return ComplaintDetailSerializer(selectors.complaint_get(caller=Caller.of(self.request), pk=pk)).data

    @extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintDetailSerializer})
    @idempotent
    def create(self, request):
        data = ComplaintCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        caller = Caller.of(request)
        try:
            merchant = merchant_get(caller=caller, pk=fields.pop("merchant"))
        except Http404:
            raise exceptions.ValidationError({"merchant": [_("Unknown merchant.")]}) from None
        order = None
        if order_id := fields.pop("order"):
            order = Order.objects.filter(pk=order_id, merchant=merchant).first()
            if order is None:
                raise exceptions.ValidationError({"order": [_("Unknown order of this merchant.")]})
        complaint = services.complaint_intake(merchant=merchant, order=order, actor=caller.actor, **fields)
        return Response(self._read(complaint.pk), status=status.HTTP_201_CREATED)

    def _act(self, request, service, input_serializer=None, **extra):
        fields = {}
        if input_serializer is not None:
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            fields = dict(data.validated_data)
        service(complaint=self.get_object(), actor=Caller.of(request).actor, **fields, **extra)
        return Response(self._read(self.kwargs["pk"]))

    @extend_schema(request=ComplaintAssignSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = ComplaintAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agent = None
        if data.validated_data["agent"]:
            from django.contrib.auth import get_user_model

            agent = get_user_model().objects.filter(pk=data.validated_data["agent"], is_active=True).first()
            if agent is None:
                raise exceptions.ValidationError({"agent": [_("Unknown agent.")]})
        return self._act(request, services.complaint_assign, agent=agent)

    @extend_schema(request=ResolveSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._act(request, services.complaint_resolve, ResolveSerializer)

    @extend_schema(request=EscalateSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self._act(request, services.complaint_escalate, EscalateSerializer)

    @extend_schema(request=RateSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        return self._act(request, services.complaint_rate, RateSerializer)

    @extend_schema(request=RespondSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        return self._act(request, services.complaint_merchant_respond, RespondSerializer)

    @extend_schema(request=FulfilSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        return self._act(request, services.complaint_fulfil_obligation, FulfilSerializer)

    @extend_schema(request=None, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, services.complaint_close)

    @extend_schema(request=CorrectCategorySerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"], url_path="correct-category")
    def correct_category(self, request, pk=None):
        return self._act(request, services.complaint_correct_category, CorrectCategorySerializer)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checked = read_upload(data.validated_data["file"])
        item = services.complaint_add_evidence(
            complaint=self.get_object(), checked=checked, actor=Caller.of(request).actor
        )
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


# --- Disputes --------------------------------------------------------------------------------


class ProposalSerializer(serializers.ModelSerializer):
    class Meta:
        model = MediationProposal
        fields = [
            "id",
            "proposed_by",
            "terms",
            "outcome",
            "award_amount",
            "complainant_answer",
            "merchant_answer",
            "due_at",
            "created_at",
        ]
        read_only_fields = fields


class DisputeDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisputeDocument
        fields = ["id", "file_name", "content_type", "size", "added_by", "created_at"]
        read_only_fields = fields


class DisputeSerializer(serializers.ModelSerializer):
    proposals = ProposalSerializer(many=True, read_only=True)
    documents = DisputeDocumentSerializer(many=True, read_only=True)
    payout_hold = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = [
            "id",
            "complaint",
            "merchant",
            "stage",
            "stage_due_at",
            "reason",
            "amount",
            "currency",
            "merchant_position",
            "merchant_responded_at",
            "mediator",
            "arbitrator",
            "outcome",
            "award_amount",
            "decision_note",
            "decided_at",
            "decided_by_default",
            "litigation_referred_at",
            "litigation_note",
            "proposals",
            "documents",
            "payout_hold",
            "created_at",
        ]
        read_only_fields = fields

    def get_payout_hold(self, obj) -> dict | None:
        hold = getattr(obj, "payout_hold", None)
        if hold is None:
            return None
        return {"amount": str(hold.amount), "currency": hold.currency, "released_at": hold.released_at}


class PositionSerializer(serializers.Serializer):
    position = serializers.CharField(max_length=services.MAX_DESCRIPTION)


class MediateSerializer(serializers.Serializer):
    mediator = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class ProposeSerializer(serializers.Serializer):
    terms = serializers.CharField(max_length=4000)
    outcome = serializers.ChoiceField(choices=DisputeOutcome.choices)
    award_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


class AnswerSerializer(serializers.Serializer):
    party = serializers.ChoiceField(
        choices=Party.choices, required=False, help_text="Staff recording a party's answer name the party."
    )


class ArbitrateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DisputeOutcome.choices)
    award_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    note = serializers.CharField(max_length=4000)


class LitigationSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000)
    documents = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=10)


class DisputeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Disputes: negotiation → mediation → arbitration → decided, or referred to litigation."""

    serializer_class = DisputeSerializer
    filterset_fields = ["merchant", "stage", "outcome"]
    ordering_fields = ["created_at", "stage_due_at"]
    ordering = ["-created_at", "-id"]
    queryset = Dispute.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.dispute_list(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [CanRead()]
        if self.action == "respond":
            return [MerchantSide()]
        if self.action in ("accept", "reject"):
            return [(MerchantSide | ComplainantSide)()]
        return [CaseHandler()]

    def _read(self, pk) -> dict:
        return DisputeSerializer(self.get_queryset().get(pk=pk)).data

    def _act(self, request, service, input_serializer=None, **extra):
        fields = {}
        if input_serializer is not None:
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            fields = dict(data.validated_data)
        service(dispute=self.get_object(), actor=Caller.of(request).actor, **fields, **extra)
        return Response(self._read(self.kwargs["pk"]))

    @extend_schema(request=PositionSerializer, responses={200: DisputeSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        return self._act(request, services.dispute_respond, PositionSerializer)

    @extend_schema(request=MediateSerializer, responses={200: DisputeSerializer})
    @action(detail=True, methods=["post"])
    def mediate(self, request, pk=None):
        data = MediateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mediator = None
        if data.validated_data["mediator"]:
            from django.contrib.auth import get_user_model

            mediator = get_user_model().objects.filter(pk=data.validated_data["mediator"], is_active=True).first()
            if mediator is None:
                raise exceptions.ValidationError({"mediator": [_("Unknown staff member.")]})
        return self._act(request, services.dispute_mediate, mediator=mediator)

    @extend_schema(request=ProposeSerializer, responses={200: DisputeSerializer})
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._act(request, services.dispute_propose, ProposeSerializer)

    def _answer(self, request, accept: bool):
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        party = party_of(request) or data.validated_data.get("party")
        if party is None:
            raise exceptions.ValidationError({"party": [_("Name the party whose answer this is.")]})
        return self._act(request, services.dispute_answer, party=party, accept=accept)

    @extend_schema(request=AnswerSerializer, responses={200: DisputeSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(request, True)

    @extend_schema(request=AnswerSerializer, responses={200: DisputeSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._answer(request, False)

    @extend_schema(request=ArbitrateSerializer, responses={200: DisputeSerializer})
    @action(detail=True, methods=["post"])
    def arbitrate(self, request, pk=None):
        return self._act(request, services.dispute_arbitrate, ArbitrateSerializer)

    @extend_schema(request={"multipart/form-data": LitigationSerializer}, responses={200: DisputeSerializer})
    @action(detail=True, methods=["post"], url_path="refer-litigation")
    def refer_litigation(self, request, pk=None):
        data = LitigationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        documents = [read_upload(upload, field="documents") for upload in data.validated_data["documents"]]
        return self._act(
            request, services.dispute_refer_litigation, note=data.validated_data["note"], documents=documents
        )


# --- Analytics -------------------------------------------------------------------------------


class AnalyticsQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
    interval = serializers.ChoiceField(choices=["day", "week", "month"], required=False, default="week")
    merchant = serializers.IntegerField(min_value=1, required=False)

    def validate(self, attrs):
        until = attrs.get("until") or timezone.now()
        since = attrs.get("since") or until - timedelta(days=90)
        if since.year < 2000 or until.year > 2999:
            raise serializers.ValidationError({"since": [_("Dates between the years 2000 and 2999.")]})
        if since >= until:
            raise serializers.ValidationError({"since": [_("Must be before until.")]})
        if until - since > timedelta(days=3 * 366):
            raise serializers.ValidationError({"since": [_("At most three years at a time.")]})
        attrs["since"], attrs["until"] = since, until
        return attrs


class SeriesPointSerializer(serializers.Serializer):
    period = serializers.DateField()
    key = serializers.CharField()
    count = serializers.IntegerField()


class ScoreCountSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    count = serializers.IntegerField()


class RepeatSerializer(serializers.Serializer):
    complainant = serializers.CharField()
    count = serializers.IntegerField()


class MerchantRateSerializer(serializers.Serializer):
    merchant = serializers.IntegerField()
    name = serializers.CharField()
    complaints = serializers.IntegerField()
    orders = serializers.IntegerField()
    per_1000_orders = serializers.FloatField()


class AnalyticsSerializer(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    interval = serializers.CharField()
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    escalated = serializers.IntegerField()
    upheld = serializers.IntegerField()
    by_category = SeriesPointSerializer(many=True)
    by_channel = SeriesPointSerializer(many=True)
    by_merchant = SeriesPointSerializer(many=True)
    median_hours_to_acknowledge = serializers.FloatField(allow_null=True)
    median_hours_to_resolve = serializers.FloatField(allow_null=True)
    acknowledge_sla_hit_rate = serializers.FloatField(allow_null=True)
    resolve_sla_hit_rate = serializers.FloatField(allow_null=True)
    satisfaction_average = serializers.FloatField(allow_null=True)
    satisfaction_count = serializers.IntegerField()
    satisfaction_distribution = ScoreCountSerializer(many=True)
    repeat_complainants = RepeatSerializer(many=True)
    repeat_complainant_count = serializers.IntegerField()
    top_merchants_per_1000_orders = MerchantRateSerializer(many=True)


def analytics_params(query) -> dict:
    data = AnalyticsQuerySerializer(data=query)
    data.is_valid(raise_exception=True)
    params = dict(data.validated_data)
    return {
        "since": params["since"],
        "until": params["until"],
        "interval": params["interval"],
        "merchant_id": params.get("merchant"),
    }


class QueryErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class AnalyticsQueryErrorResponse(serializers.Serializer):
    """A bad query parameter: 400 in the one error shape."""

    type = serializers.ChoiceField(choices=[("validation_error", "validation_error")])
    errors = QueryErrorSerializer(many=True)


class ComplaintAnalyticsView(APIView):
    """Complaint figures for a period (default: the last 90 days), for staff."""

    permission_classes = [AnalyticsReader]

    @extend_schema(
        parameters=[AnalyticsQuerySerializer],
        responses={200: AnalyticsSerializer, 400: AnalyticsQueryErrorResponse},
        tags=["complaints"],
    )
    def get(self, request):
        figures = selectors.complaint_analytics(**analytics_params(request.query_params))
        return Response(AnalyticsSerializer(figures).data)
