"""External records API: risk officers record them; merchants read their own."""

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.response import Response

from core.access import PLATFORM_ADMIN, RISK_OFFICER, Caller
from core.permissions import CanRead, HasRole
from core.viewsets import ScopedModelViewSet
from credit.choices import RecordKind, RecordSeverity, RecordSource
from credit.models import ExternalRecord
from credit.selectors import records as selectors
from credit.services.records import external_record_create
from merchants.selectors import merchant_get

RiskOfficer = HasRole.of(RISK_OFFICER, PLATFORM_ADMIN)


class ExternalRecordSerializer(serializers.ModelSerializer):
    grade = serializers.CharField(read_only=True, help_text="A credit grade's grade: A, B, C or D (blank otherwise).")

    class Meta:
        model = ExternalRecord
        fields = [
            "id",
            "merchant",
            "source",
            "kind",
            "date",
            "severity",
            "grade",
            "reference",
            "description",
            "created_at",
        ]
        read_only_fields = fields


class ExternalRecordCreateSerializer(serializers.Serializer):
    merchant = serializers.IntegerField(min_value=1)
    source = serializers.ChoiceField(choices=RecordSource.choices)
    kind = serializers.ChoiceField(choices=RecordKind.choices)
    date = serializers.DateField()
    severity = serializers.ChoiceField(choices=RecordSeverity.choices, required=False, allow_blank=True, default="")
    grade = serializers.CharField(
        max_length=1, required=False, allow_blank=True, default="", help_text="For a credit grade: A, B, C or D."
    )
    reference = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ExternalRecordFilter(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=RecordSource.choices)
    kind = django_filters.ChoiceFilter(choices=RecordKind.choices)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ExternalRecord
        fields = ["merchant", "source", "kind", "date_after", "date_before"]


class ExternalRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Penalties, judgments and credit grades from outside the platform, newest first; they feed the
    `public_records` score component."""

    serializer_class = ExternalRecordSerializer
    filterset_class = ExternalRecordFilter
    ordering_fields = ["date", "created_at"]
    ordering = ["-date", "-id"]
    queryset = ExternalRecord.objects.none()

    def get_queryset(self):
        return selectors.external_record_list(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [CanRead()]
        return [RiskOfficer()]

    @extend_schema(request=ExternalRecordCreateSerializer, responses={201: ExternalRecordSerializer})
    def create(self, request):
        data = ExternalRecordCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        caller = Caller.of(request)
        try:
            merchant = merchant_get(caller=caller, pk=fields.pop("merchant"))
        except Http404:
            raise exceptions.ValidationError({"merchant": [_("Unknown merchant.")]}) from None
        record = external_record_create(actor=caller.actor, merchant=merchant, **fields)
        return Response(ExternalRecordSerializer(record).data, status=status.HTTP_201_CREATED)
