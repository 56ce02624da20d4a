"""Credit consequences API: the merchant's own list; risk officers impose and override."""

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.access import PLATFORM_ADMIN, RISK_OFFICER, Caller
from core.permissions import CanRead, HasRole
from core.viewsets import ScopedModelViewSet
from credit.choices import ConsequenceKind, ConsequenceTrigger, OverrideAction
from credit.models import CreditConsequence
from credit.selectors import consequences as selectors
from credit.services.consequences import credit_consequence_impose, credit_consequence_override
from merchants.selectors import merchant_get

RiskOfficer = HasRole.of(RISK_OFFICER, PLATFORM_ADMIN)


class CreditConsequenceSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active", read_only=True)
    explanation = serializers.CharField(read_only=True, help_text="Why it applies, from the inputs that caused it.")
    overridden = serializers.SerializerMethodField()

    class Meta:
        model = CreditConsequence
        fields = [
            "id",
            "merchant",
            "kind",
            "component",
            "trigger",
            "discount_percent",
            "policy_version",
            "inputs",
            "explanation",
            "active",
            "active_from",
            "probation_until",
            "overridden",
            "override_until",
            "override_reason",
            "lifted_at",
            "lifted_reason",
            "lifted_policy_version",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "inputs": {"help_text": "What caused it: policy version, score, tier, the components' values."},
            "probation_until": {"help_text": "A recovered restriction is lifted by the first run after this time."},
            "override_until": {"help_text": "A staff override holds against the scoring runs until this time."},
        }

    def get_overridden(self, obj) -> bool:
        return obj.overridden_by_id is not None


class ConsequenceOverrideSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=OverrideAction.choices)
    until = serializers.DateField(help_text="The override holds through the end of this day (platform time).")
    reason = serializers.CharField(max_length=2000)


class ConsequenceImposeSerializer(serializers.Serializer):
    merchant = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(
        choices=ConsequenceKind.choices, help_text="Any kind but `warning` (warnings come from the rules only)."
    )
    until = serializers.DateField(help_text="The consequence holds through the end of this day (platform time).")
    reason = serializers.CharField(max_length=2000)
    discount_percent = serializers.IntegerField(required=False, allow_null=True, default=None)


class CreditConsequenceFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="lifted_at", lookup_expr="isnull")
    kind = django_filters.ChoiceFilter(choices=ConsequenceKind.choices)
    trigger = django_filters.ChoiceFilter(choices=ConsequenceTrigger.choices)

    class Meta:
        model = CreditConsequence
        fields = ["merchant", "kind", "component", "trigger", "active", "policy_version"]


class CreditConsequenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Perks, warnings and restrictions the credit policy (or a risk officer) put on merchants, newest first;
    lifted ones stay as history (`?active=true` for the ones in force)."""

    serializer_class = CreditConsequenceSerializer
    filterset_class = CreditConsequenceFilter
    ordering_fields = ["active_from", "lifted_at"]
    ordering = ["-active_from", "-id"]
    queryset = CreditConsequence.objects.none()

    def get_queryset(self):
        return selectors.consequence_list(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [CanRead()]
        return [RiskOfficer()]

    @extend_schema(request=ConsequenceImposeSerializer, responses={200: CreditConsequenceSerializer,
                                                                  201: CreditConsequenceSerializer})  # fmt: skip
    def create(self, request):
        """Impose a consequence (or extend the active one of that kind) with a reason; it holds until `until`."""
        data = ConsequenceImposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        caller = Caller.of(request)
        try:
            merchant = merchant_get(caller=caller, pk=fields.pop("merchant"))
        except Http404:
            raise exceptions.ValidationError({"merchant": [_("Unknown merchant.")]}) from None
        consequence, created = credit_consequence_impose(merchant=merchant, actor=caller.actor, **fields)
        body = CreditConsequenceSerializer(selectors.consequence_get(caller=caller, pk=consequence.pk)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=ConsequenceOverrideSerializer, responses={200: CreditConsequenceSerializer})
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        """Lift the consequence, or extend it, with a reason; the override holds against runs until `until`."""
        data = ConsequenceOverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        caller = Caller.of(request)
        credit_consequence_override(consequence=self.get_object(), actor=caller.actor, **data.validated_data)
        return Response(CreditConsequenceSerializer(selectors.consequence_get(caller=caller, pk=pk)).data)
