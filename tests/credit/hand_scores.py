"""Scores built by hand (a chosen score and component statuses) and the consequence rules applied to them,
through the real credit.services.consequences_apply, as a nightly run would."""

import copy
from datetime import datetime

from django.utils import timezone

from core.access import RISK_OFFICER
from credit.choices import DEFAULT_COMPONENTS, DEFAULT_CONSEQUENCES, ComponentStatus
from credit.models import CreditScore, ScoreComponent, ScoringPolicy
from credit.selectors import current_policy
from credit.services import scoring_policy_create
from credit.services.consequences import consequences_apply
from tests.factories import staff

WINDOW = 90


def rules_policy(actor=None, **rules) -> ScoringPolicy:
    """A new policy version with the default components and the default consequence rules, changed by `rules`."""
    return scoring_policy_create(
        actor=actor or staff(RISK_OFFICER),
        components=copy.deepcopy(DEFAULT_COMPONENTS),
        tier_a_min=850,
        tier_b_min=700,
        tier_c_min=550,
        window_days=WINDOW,
        neutral_share=0.5,
        note="consequence rules under test",
        consequences={**copy.deepcopy(DEFAULT_CONSEQUENCES), **rules},
    )


def hand_score(
    merchant, score: int, *, as_of: datetime | None = None, breach=(), insufficient=(), policy=None
) -> CreditScore:
    """A score row as a run would write it: every component of the policy `ok` unless named."""
    policy = policy or current_policy()
    row = CreditScore.objects.create(
        merchant=merchant,
        score=score,
        tier=policy.tier_for(score),
        policy_version=policy.version,
        as_of=as_of or timezone.now(),
        window_days=WINDOW,
    )
    components = []
    for name, rule in policy.components.items():
        status = ComponentStatus.OK
        value = rule["best"]
        if name in breach:
            status, value = ComponentStatus.BREACH, rule["floor"]
        elif name in insufficient:
            status, value = ComponentStatus.INSUFFICIENT_DATA, None
        components.append(
            ScoreComponent(
                score=row,
                name=name,
                value=value,
                numerator=value,
                target=rule["target"],
                status=status,
                points=0 if status == ComponentStatus.BREACH else rule["weight"],
                max_points=rule["weight"],
            )
        )
    ScoreComponent.objects.bulk_create(components)
    return row


def night(merchant, score: int, *, as_of: datetime | None = None, breach=(), insufficient=(), policy=None) -> dict:
    """One scoring run's consequences for one merchant with a hand-built score."""
    policy = policy or current_policy()
    row = hand_score(merchant, score, as_of=as_of, breach=breach, insufficient=insufficient, policy=policy)
    return consequences_apply(scores=[row], policy=policy, as_of=row.as_of, window_days=WINDOW)
