"""Suspicion flags from fake-order detection: a staff-only resource.

Merchant users and partner keys get 403 on the list and 404 on any flag (their own merchant's included),
so a merchant cannot learn from the API that it has been flagged.
"""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER, Caller
from core.permissions import HasRole
from core.viewsets import ScopedModelViewSet
from credit.models import FlagStatus, SuspicionFlag, SuspicionRule
from credit.selectors import detection as selectors
from credit.services import detection as services

READERS = (RISK_OFFICER, OPS_MANAGER, PLATFORM_ADMIN)
REVIEWERS = services.REVIEWERS


class SuspicionFlagSerializer(serializers.ModelSerializer):
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)
    rule_label = serializers.CharField(source="get_rule_display", read_only=True)
    explanation = serializers.SerializerMethodField(help_text="Why the flag was raised, with the figures.")
    orders = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SuspicionFlag
        fields = [
            "id",
            "merchant",
            "merchant_name",
            "rule",
            "rule_label",
            "subject",
            "window_start",
            "window_end",
            "explanation",
            "metrics",
            "orders",
            "order_count",
            "status",
            "detected_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_explanation(self, flag: SuspicionFlag) -> str:
        return flag.explanation


class SuspicionFlagReviewSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="What the reviewer found (required).")


class SuspicionFlagFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FlagStatus.choices)
    rule = django_filters.MultipleChoiceFilter(choices=SuspicionRule.choices)
    window_after = django_filters.IsoDateTimeFilter(field_name="window_end", lookup_expr="gt")
    window_before = django_filters.IsoDateTimeFilter(field_name="window_start", lookup_expr="lt")

    class Meta:
        model = SuspicionFlag
        fields = ["merchant", "status", "rule", "window_after", "window_before"]


class SuspicionFlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Flags raised by fake-order detection, for staff review. A flag penalises nobody; risk officers
    dismiss it or confirm it with a note."""

    serializer_class = SuspicionFlagSerializer
    filterset_class = SuspicionFlagFilter
    ordering_fields = ["detected_at", "window_start", "order_count"]
    ordering = ["-window_start", "-id"]
    queryset = SuspicionFlag.objects.none()

    def get_queryset(self):
        return selectors.suspicion_flag_list(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [HasRole.of(*READERS)()]
        return [HasRole.of(*REVIEWERS)()]

    def _review(self, service):
        data = SuspicionFlagReviewSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        flag = service(flag=self.get_object(), actor=self.request.user, **data.validated_data)
        return Response(SuspicionFlagSerializer(self.get_queryset().get(pk=flag.pk)).data)

    @extend_schema(request=SuspicionFlagReviewSerializer, responses={200: SuspicionFlagSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self._review(services.suspicion_flag_dismiss)

    @extend_schema(request=SuspicionFlagReviewSerializer, responses={200: SuspicionFlagSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._review(services.suspicion_flag_confirm)
