"""Writes of the credit app: scoring policy versions and scoring runs."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import PLATFORM_ADMIN, RISK_OFFICER, has_role
from core.audit import Actor, audit
from core.bulk import rows_copy
from credit import metrics, scoring
from credit.choices import COMPONENT_LABELS, PUBLIC_RECORDS, REGISTERED_CAPITAL, VIOLATION_POINTS, YEARS_IN_BUSINESS
from credit.models import CreditScore, ScoreComponent, ScoringPolicy
from credit.selectors import current_policy
from credit.services.consequences import consequence_rules_check, consequences_apply
from credit.services.rescore import (  # noqa: F401
    merchant_rescore,
    merchant_rescore_soon,
    platform_midnight,
    rescore_batch,
)
from merchants.models import Merchant
from merchants.services import merchant_credit_scores_set

# A nightly range task (settings.CREDIT_SCORING_RANGE_SIZE merchants or more) measures MEASURE_SIZE merchants
# per pass of set-based queries (a pass joins whole tables once, so fewer, larger passes do less work) and
# writes CHUNK_SIZE merchants per transaction (bench/credit_scoring.py).
CHUNK_SIZE = 1000
MEASURE_SIZE = 50_000
# What scoring a merchant costs besides measuring its orders, in orders (writing its score, components and
# consequences): the weight merchant_id_ranges gives a merchant with no orders. bench/credit_scoring.py's
# per-range times put it between 40 and 75 on a usual night (more on a first night, when everything is new).
MERCHANT_WORK = 60
RULE_KEYS = {"direction", "weight", "best", "floor", "target", "warning", "min_sample"}
# Components measured as one value each (not a ratio): evaluated with scoring.evaluate_value.
REPUTATION = (YEARS_IN_BUSINESS, REGISTERED_CAPITAL, VIOLATION_POINTS, PUBLIC_RECORDS)


def _check_components(components: dict) -> None:
    errors = []
    if not isinstance(components, dict):
        raise ValidationError({"components": [_("Components are an object keyed by name.")]})
    unknown = set(components) - set(COMPONENT_LABELS)
    if unknown:
        errors.append(_("Unknown components: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    for name, rule in components.items():
        if not isinstance(rule, dict) or set(rule) != RULE_KEYS:
            errors.append(_("%(name)s needs exactly: %(keys)s.") % {"name": name, "keys": ", ".join(sorted(RULE_KEYS))})
            continue
        numbers = [rule[key] for key in RULE_KEYS - {"direction"}]
        if any(isinstance(n, bool) or not isinstance(n, int | float) for n in numbers):
            errors.append(_("%(name)s: weights, levels and sample sizes are numbers.") % {"name": name})
            continue
        if rule["direction"] not in ("lower", "higher"):
            errors.append(_("%(name)s: direction is lower or higher.") % {"name": name})
            continue
        if rule["weight"] < 0 or rule["min_sample"] < 0:
            errors.append(_("%(name)s: weight and minimum sample cannot be negative.") % {"name": name})
        lower = rule["direction"] == "lower"
        ordered = (
            rule["best"] <= rule["warning"] <= rule["target"] <= rule["floor"]
            if lower
            else rule["floor"] <= rule["target"] <= rule["warning"] <= rule["best"]
        )
        if not ordered or rule["best"] == rule["floor"]:
            errors.append(_("%(name)s: best, warning level, target and floor are out of order.") % {"name": name})
    if errors:
        raise ValidationError({"components": errors})
    if not components or not sum(rule["weight"] for rule in components.values()):
        errors.append(_("The components' weights add up to nothing."))
    if errors:
        raise ValidationError({"components": errors})


def scoring_policy_create(
    *,
    actor: Actor,
    components: dict,
    tier_a_min: int,
    tier_b_min: int,
    tier_c_min: int,
    window_days: int,
    neutral_share: float,
    note: str,
    consequences: dict | None = None,
) -> ScoringPolicy:
    """A new version of the scoring policy (the previous ones stay, so old scores stay explained)."""
    if not (getattr(actor, "is_staff", False) and has_role(actor, RISK_OFFICER, PLATFORM_ADMIN)):
        raise PermissionDenied(_("Only risk officers change the scoring policy."))
    _check_components(components)
    consequences = {} if consequences is None else consequences
    consequence_rules_check(consequences, components)
    if not 1000 >= tier_a_min > tier_b_min > tier_c_min >= 0:
        raise ValidationError({"tier_a_min": [_("Tier cut-offs must fall: A above B above C, at most 1000.")]})
    if not 1 <= window_days <= 3650:
        raise ValidationError({"window_days": [_("The window is 1 to 3650 days.")]})
    if not 0 <= neutral_share <= 1:
        raise ValidationError({"neutral_share": [_("The share without data is between 0 and 1.")]})
    if not note.strip():
        raise ValidationError({"note": [_("Say why the policy changes.")]})
    try:
        with transaction.atomic():
            latest = ScoringPolicy.objects.aggregate(v=Max("version"))["v"] or 0
            policy = ScoringPolicy.objects.create(
                version=latest + 1,
                components=components,
                tier_a_min=tier_a_min,
                tier_b_min=tier_b_min,
                tier_c_min=tier_c_min,
                window_days=window_days,
                neutral_share=neutral_share,
                consequences=consequences,
                note=note,
                created_by=actor,
            )
            audit(
                actor=actor, obj=policy, action="scoring_policy.create", after={"version": policy.version}, reason=note
            )
    except IntegrityError:
        # Two officers saved at once: the other one took this version number.
        raise ValidationError({"version": [_("The policy changed meanwhile; reload and try again.")]}) from None
    return policy


def _score_chunk(
    merchant_ids: list[int], *, policy: ScoringPolicy, as_of: datetime, window_days: int, measured=None
) -> list:
    since = as_of - timedelta(days=window_days)
    measures, reputation = measured or metrics.measure_chunk(merchant_ids, since, as_of)
    computed_at = timezone.now()
    scores, component_rows = [], []
    rules = [(name, rule, name in REPUTATION) for name, rule in policy.components.items()]
    neutral = policy.neutral_share
    for merchant_id in merchant_ids:
        measured, values = measures.get(merchant_id, {}), reputation.get(merchant_id, {})
        evaluated = []
        for name, rule, single in rules:
            if single:
                evaluated.append(scoring.evaluate_value(name, rule, values.get(name), neutral))
            else:
                numerator, denominator = measured.get(name, (0, 0))
                evaluated.append(scoring.evaluate_ratio(name, rule, float(numerator), float(denominator), neutral))
        total = scoring.score_from(evaluated)
        scores.append(
            CreditScore(
                merchant_id=merchant_id,
                score=total,
                tier=policy.tier_for(total),
                policy_version=policy.version,
                as_of=as_of,
                window_days=window_days,
                computed_at=computed_at,
            )
        )
        component_rows.append(evaluated)
    return list(zip(scores, component_rows, strict=True))


SCORE_COLUMNS = ("merchant_id", "score", "tier", "policy_version", "as_of", "window_days", "computed_at")
COMPONENT_COLUMNS = ("score", "name", "value", "numerator", "denominator", "target", "status", "points",
                     "max_points", "bound")  # fmt: skip


def merchants_score(
    *,
    merchant_ids: list[int],
    as_of: datetime,
    window_days: int | None = None,
    actor: Actor = None,
    measured: tuple | None = None,
) -> list[CreditScore]:
    """Score a chunk of merchants at `as_of`: a few aggregate queries, then bulk writes. A run repeated for
    the same as-of time and window replaces its own rows. The merchants' `credit_score` and `tier` follow
    the newest score each has, and so do the consequences of the policy's rules (credit.services.consequences).
    `measured`: metrics.measure_chunk's result for these merchants (or more), when the caller measured them
    already over the same window."""
    policy = current_policy()
    window_days = window_days or policy.window_days
    merchant_ids = sorted(set(merchant_ids))
    results = _score_chunk(merchant_ids, policy=policy, as_of=as_of, window_days=window_days, measured=measured)
    with transaction.atomic():
        CreditScore.objects.filter(merchant_id__any=merchant_ids, as_of=as_of, window_days=window_days).delete()
        scores = [score for score, _ in results]
        rows_copy(CreditScore, SCORE_COLUMNS, [[getattr(s, name) for name in SCORE_COLUMNS] for s in scores])
        by_merchant = dict(
            CreditScore.objects.filter(merchant_id__any=merchant_ids, as_of=as_of, window_days=window_days).values_list(
                "merchant_id", "pk"
            )
        )
        for score in scores:
            score.pk = by_merchant[score.merchant_id]
            score._state.adding, score._state.db = False, CreditScore.objects.db
        # COPY on PostgreSQL: a row per component and merchant is most of what a scoring run writes.
        rows_copy(
            ScoreComponent,
            COMPONENT_COLUMNS,
            [
                (score.pk, c.name, c.value, c.numerator, c.denominator, c.target, c.status, round(c.points, 3),
                 c.max_points, c.bound)
                for score, (_, components) in zip(scores, results, strict=True)
                for c in components
            ],
        )  # fmt: skip
        newer = set(
            CreditScore.objects.filter(merchant_id__any=merchant_ids, as_of__gt=as_of)
            .values_list("merchant_id", flat=True)
            .distinct()
        )
        merchant_credit_scores_set(
            scores={s.merchant_id: (s.score, s.tier) for s in scores if s.merchant_id not in newer},
            actor=actor,
            reason=_("Credit score as of %(as_of)s, policy v%(version)s")
            % {"as_of": as_of.isoformat(), "version": policy.version},
        )
        # The consequences follow each merchant's newest score only, like its credit fields.
        newest = [(score, components) for score, (_, components) in zip(scores, results, strict=True)
                  if score.merchant_id not in newer]  # fmt: skip
        consequences_apply(
            scores=[score for score, _ in newest],
            policy=policy,
            as_of=as_of,
            window_days=window_days,
            actor=actor,
            components={score.merchant_id: {c.name: c for c in components} for score, components in newest},
        )
    return scores


def merchant_id_ranges(
    *,
    max_tasks: int,
    min_chunk: int | None = None,
    as_of: datetime | None = None,
    window_days: int | None = None,
) -> list[tuple[int, int]]:
    """Split all merchants into at most `max_tasks` contiguous id ranges (first id, last id), as many as give
    each about `min_chunk` merchants (default settings.CREDIT_SCORING_RANGE_SIZE), at least one.

    Given the night's `as_of`, the ranges carry even work rather than even merchant counts: a merchant weighs
    MERCHANT_WORK plus its orders in the window (the policy's unless `window_days`), estimated by
    metrics.order_volumes. Order volumes are skewed (a few merchants hold most orders), and the night lasts
    as long as its slowest range."""
    ids = list(Merchant.objects.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return []
    min_chunk = min_chunk or settings.CREDIT_SCORING_RANGE_SIZE
    count = min(max_tasks, max(1, len(ids) // min_chunk))
    if count == 1:
        return [(ids[0], ids[-1])]
    if as_of is None:
        size = -(-len(ids) // count)
        return [(ids[start], ids[min(start + size, len(ids)) - 1]) for start in range(0, len(ids), size)]
    window_days = window_days or current_policy().window_days
    volumes = metrics.order_volumes(as_of - timedelta(days=window_days), as_of)
    weights = [MERCHANT_WORK + volumes.get(pk, 0.0) for pk in ids]
    total = sum(weights)
    ranges, first, done, cut = [], 0, 0.0, 1
    for index, weight in enumerate(weights[:-1]):
        done += weight
        if done >= total * cut / count:
            ranges.append((ids[first], ids[index]))
            first = index + 1
            while cut < count and done >= total * cut / count:  # a merchant heavier than a share spans cuts
                cut += 1
            if cut == count:
                break
    ranges.append((ids[first], ids[-1]))
    return ranges


def merchants_score_range(
    *, first_id: int, last_id: int, as_of: datetime, window_days: int | None = None, actor: Actor = None
) -> int:
    """Score the merchants with ids in [first_id, last_id]: measured MEASURE_SIZE at a time, written CHUNK_SIZE
    at a time; returns how many."""
    window_days = window_days or current_policy().window_days
    since = as_of - timedelta(days=window_days)
    # Elsewhere than on PostgreSQL (the SQLite demo) a pass is a chunk: its queries list the merchants' ids.
    measure_size = MEASURE_SIZE if connection.vendor == "postgresql" else CHUNK_SIZE
    done, after = 0, first_id - 1
    while True:
        ids = list(
            Merchant.objects.filter(pk__gt=after, pk__lte=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:measure_size]
        )
        if not ids:
            return done
        measured = metrics.measure_chunk(ids, since, as_of)
        for start in range(0, len(ids), CHUNK_SIZE):
            chunk = ids[start : start + CHUNK_SIZE]
            merchants_score(merchant_ids=chunk, as_of=as_of, window_days=window_days, actor=actor, measured=measured)
        done += len(ids)
        after = ids[-1]
