"""Credit API: thin serializers and viewsets over credit.selectors."""

import django_filters
from rest_framework import mixins, serializers

from core.access import Caller
from core.permissions import CanRead
from core.viewsets import ScopedModelViewSet
from credit import selectors
from credit.models import CreditScore, ScoreComponent


class ScoreComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoreComponent
        fields = ["name", "value", "numerator", "denominator", "target", "status", "points", "max_points", "bound"]
        extra_kwargs = {
            "value": {"help_text": "The plain ratio or mean of the metric's definition (null without data)."},
            "bound": {"help_text": "Below the minimum sample: the Wilson bound the points were computed from."},
        }


class CreditScoreSerializer(serializers.ModelSerializer):
    components = ScoreComponentSerializer(many=True, read_only=True)

    class Meta:
        model = CreditScore
        fields = [
            "id",
            "merchant",
            "score",
            "tier",
            "policy_version",
            "as_of",
            "window_days",
            "components",
            "computed_at",
        ]
        read_only_fields = fields


class CreditScoreFilter(django_filters.FilterSet):
    as_of = django_filters.IsoDateTimeFilter(field_name="as_of")
    as_of_after = django_filters.IsoDateTimeFilter(field_name="as_of", lookup_expr="gte")
    as_of_before = django_filters.IsoDateTimeFilter(field_name="as_of", lookup_expr="lt")

    class Meta:
        model = CreditScore
        fields = ["merchant", "as_of", "as_of_after", "as_of_before", "tier", "policy_version"]


class CreditScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Merchants' credit scores, newest as-of time first, each with its components (the score history)."""

    serializer_class = CreditScoreSerializer
    filterset_class = CreditScoreFilter
    ordering_fields = ["as_of", "score", "computed_at"]
    ordering = ["-as_of", "-id"]
    queryset = CreditScore.objects.none()
    permission_classes = [CanRead]

    def get_queryset(self):
        return selectors.credit_score_list(caller=Caller.of(self.request))
