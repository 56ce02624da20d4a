"""Staff insights into credit scores: the distribution by tier and category, and peer comparison."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER
from core.errors import ErrorResponse404, ErrorSerializer
from core.permissions import HasRole
from credit.selectors import insights as selectors
from merchants.models import Merchant

InsightReader = HasRole.of(RISK_OFFICER, OPS_MANAGER, PLATFORM_ADMIN)


class _Quartiles(serializers.Serializer):
    q1 = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    q3 = serializers.FloatField(allow_null=True)


class _TierCounts(_Quartiles):
    merchants = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    tier_a = serializers.IntegerField()
    tier_b = serializers.IntegerField()
    tier_c = serializers.IntegerField()
    tier_d = serializers.IntegerField()


class ScoreDistributionOverallSerializer(_TierCounts):
    pass


class ScoreDistributionCategorySerializer(_TierCounts):
    code = serializers.CharField(allow_null=True, help_text="null: merchants without a category.")
    name = serializers.CharField(allow_null=True)
    name_zh = serializers.CharField(allow_null=True)


class ScoreDistributionTierSerializer(serializers.Serializer):
    tier = serializers.CharField()
    merchants = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="Share of scored merchants, 0–1.")


class ScoreDistributionSerializer(serializers.Serializer):
    overall = ScoreDistributionOverallSerializer()
    tiers = ScoreDistributionTierSerializer(many=True)
    categories = ScoreDistributionCategorySerializer(many=True)
    unscored = serializers.IntegerField(help_text="Merchants without any score yet.")


class ScoreDistributionView(APIView):
    """Merchants' newest scores by tier, and per category with counts, quartiles and the mean."""

    permission_classes = [InsightReader]

    @extend_schema(responses={200: ScoreDistributionSerializer}, tags=["credit"])
    def get(self, request):
        return Response(ScoreDistributionSerializer(selectors.score_distribution()).data)


class PeerComparisonQuerySerializer(serializers.Serializer):
    merchant = serializers.IntegerField(min_value=1)
    category = serializers.CharField(required=False, help_text="One of the merchant's category codes.")


class PeerGroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("category", "category"), ("all", "all")])
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    name_zh = serializers.CharField(allow_null=True)
    category_peers = serializers.IntegerField(
        allow_null=True, help_text="Scored peers in the category asked for (fewer than the minimum: all merchants)."
    )


class PeerComponentSerializer(_Quartiles):
    name = serializers.CharField()
    label = serializers.CharField()
    direction = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    status = serializers.CharField()
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    peers = serializers.IntegerField()
    percentile = serializers.FloatField(
        allow_null=True, help_text="Share of peers this merchant does better than (ties count half), 0–100."
    )


class PeerCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_zh = serializers.CharField()


class PeerComparisonSerializer(_Quartiles):
    merchant = serializers.IntegerField(source="merchant.pk")
    score = serializers.IntegerField(source="score.score")
    tier = serializers.CharField(source="score.tier")
    as_of = serializers.DateTimeField(source="score.as_of")
    categories = PeerCategorySerializer(many=True)
    group = PeerGroupSerializer()
    peers = serializers.IntegerField()
    percentile = serializers.FloatField(
        allow_null=True, help_text="Share of peers this merchant scores above (ties count half), 0–100."
    )
    min_peers = serializers.IntegerField()
    components = PeerComponentSerializer(many=True)


class PeerComparisonQueryErrorResponse(serializers.Serializer):
    """A 400 in the one error shape, for a bad `merchant` query parameter."""

    type = serializers.CharField(help_text="Always `validation_error`.")
    errors = ErrorSerializer(many=True)


class PeerComparisonView(APIView):
    """One merchant's newest score and components against its peers' (same primary category, or all
    merchants when the category has too few scored peers). 404 when the merchant has no score yet."""

    permission_classes = [InsightReader]

    @extend_schema(
        parameters=[PeerComparisonQuerySerializer],
        responses={200: PeerComparisonSerializer, "400": PeerComparisonQueryErrorResponse, "404": ErrorResponse404},
        tags=["credit"],
    )
    def get(self, request):
        query = PeerComparisonQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        merchant = Merchant.objects.filter(pk=query.validated_data["merchant"]).first()
        if merchant is None:
            raise serializers.ValidationError({"merchant": [_("No such merchant.")]})
        report = selectors.peer_comparison(merchant=merchant, category_code=query.validated_data.get("category"))
        if report is None:
            raise NotFound(_("This merchant has no credit score yet."))
        return Response(PeerComparisonSerializer(report).data)
