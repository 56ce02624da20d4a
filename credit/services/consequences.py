"""Consequences of credit: the policy's rules applied after each scoring chunk, and staff overrides.

A run decides, for every merchant of the chunk whose score is its newest, which consequences its rules want;
it opens the missing ones, lifts the ones no longer wanted and moves restrictions through probation, in bulk,
each change an audit entry carrying the policy version and the inputs. Running the same chunk again changes
nothing. A staff override holds against the runs until it expires (see `credit_consequence_override`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import PLATFORM_ADMIN, RISK_OFFICER, has_role
from core.audit import Actor, actor_fields, audit
from core.bulk import objects_copy
from core.errors import InvalidTransition
from core.models import AuditEntry, Notification
from core.notifications import notify_many
from credit.choices import (
    COMPONENT_LABELS,
    CONSEQUENCE_KEYS,
    ComponentStatus,
    ConsequenceKind,
    ConsequenceTrigger,
    OverrideAction,
)
from credit.models import CreditConsequence, CreditScore, ScoreComponent, ScoringPolicy
from credit.scoring import EVALUATED_FIELDS, Evaluated
from merchants.choices import MerchantStatus, RestrictionReason, Tier
from merchants.models import Merchant, MerchantMembership

K = ConsequenceKind
MAX_OVERRIDE_DAYS = 365
MAX_REPEATED_RUNS = 30
IMPOSABLE = (K.PRIORITY_RECOMMENDATION, K.DEPOSIT_DISCOUNT, K.CAMPAIGN_INELIGIBLE, K.CREDIT_RESTRICTION)


# --- The rules, checked when a policy version is saved ---------------------------------------------------


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float)


def _is_int(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int)


def _check_tiers(rules: dict, key: str, errors: list) -> None:
    tiers = rules.get(key, [])
    if not isinstance(tiers, list) or any(t not in Tier.values for t in tiers) or len(set(tiers)) != len(tiers):
        errors.append(_("%(key)s is a list of distinct tiers (A, B, C, D).") % {"key": key})


def consequence_rules_check(rules, components: dict) -> None:
    """Refuse rules that are not the documented shape (credit.choices.CONSEQUENCE_KEYS)."""
    if not isinstance(rules, dict):
        raise ValidationError({"consequences": [_("Consequences are an object keyed by rule.")]})
    errors: list[str] = []
    unknown = set(rules) - CONSEQUENCE_KEYS
    if unknown:
        errors.append(_("Unknown consequence rules: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    _check_tiers(rules, "priority_recommendation_tiers", errors)
    _check_tiers(rules, "campaign_ineligible_tiers", errors)
    discounts = rules.get("deposit_discount_percent", {})
    if not isinstance(discounts, dict) or any(
        tier not in Tier.values or not _is_int(percent) or not 1 <= percent <= 100
        for tier, percent in discounts.items()
    ):
        errors.append(_("deposit_discount_percent maps tiers to a whole percent from 1 to 100."))
    if not isinstance(rules.get("breach_warning", False), bool):
        errors.append(_("breach_warning is true or false."))
    names = rules.get("breach_components", [])
    if not isinstance(names, list) or any(not isinstance(n, str) or n not in components for n in names):
        errors.append(_("breach_components lists components of this policy."))
    runs = rules.get("repeated_breach_runs")
    if runs is not None and (not _is_int(runs) or not 2 <= runs <= MAX_REPEATED_RUNS):
        errors.append(
            _("repeated_breach_runs is a whole number of runs from 2 to %(max)d.") % {"max": MAX_REPEATED_RUNS}
        )
    threshold = rules.get("restrict_below_score")
    if threshold is not None and (not _is_int(threshold) or not 1 <= threshold <= 1000):
        errors.append(_("restrict_below_score is a score from 1 to 1000."))
    probation = rules.get("probation_days", 0)
    if not _is_int(probation) or not 0 <= probation <= MAX_OVERRIDE_DAYS:
        errors.append(_("probation_days is 0 to %(max)d days.") % {"max": MAX_OVERRIDE_DAYS})
    share = rules.get("min_measured_share", 0)
    if not _is_number(share) or not 0 <= share <= 1:
        errors.append(_("min_measured_share is between 0 and 1."))
    if errors:
        raise ValidationError({"consequences": errors})


# --- Applying the rules after a scoring chunk -------------------------------------------------------------


@dataclass
class Wanted:
    trigger: str
    inputs: dict
    discount_percent: int | None = None


@dataclass
class Changes:
    created: list[CreditConsequence] = field(default_factory=list)
    updated: list[CreditConsequence] = field(default_factory=list)
    entries: list[AuditEntry] = field(default_factory=list)
    restrict: dict[int, str] = field(default_factory=dict)  # merchant id -> reason
    reinstate: dict[int, str] = field(default_factory=dict)
    notify: list[tuple[int, str, str]] = field(default_factory=list)  # merchant id, title, body


def _component_inputs(component: Evaluated) -> dict:
    return {"value": component.value, "target": component.target, "status": component.status}


def _repeated_breaches(merchant_ids, *, as_of, window_days, runs: int, names: list[str]) -> dict[int, set[str]]:
    """Components in breach in each of the merchant's last `runs` scores with this window (the current one
    included): two queries for the chunk. Callers pass only the merchants in breach now (no one else can be)."""
    if not names or not merchant_ids:
        return {}
    recent = list(
        CreditScore.objects.filter(merchant_id__any=merchant_ids, window_days=window_days, as_of__lte=as_of)
        .annotate(rank=Window(RowNumber(), partition_by=[F("merchant_id")], order_by=[F("as_of").desc()]))
        .filter(rank__lte=runs)
        .values_list("pk", "merchant_id")
    )
    merchant_of = dict(recent)
    scored_runs: dict[int, int] = defaultdict(int)
    for merchant_id in merchant_of.values():
        scored_runs[merchant_id] += 1
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for score_id, name in ScoreComponent.objects.filter(
        score_id__any=list(merchant_of), status=ComponentStatus.BREACH, name__any=names
    ).values_list("score_id", "name"):
        counts[merchant_of[score_id], name] += 1
    repeated: dict[int, set[str]] = defaultdict(set)
    for (merchant_id, name), count in counts.items():
        if count == runs and scored_runs[merchant_id] == runs:
            repeated[merchant_id].add(name)
    return repeated


def _wanted(
    score: CreditScore, components: dict[str, Evaluated], rules: dict, repeated: set[str], base: dict
) -> tuple[dict[tuple[str, str], Wanted], bool]:
    """({(kind, component): Wanted}, recovered) for one merchant, from its newest score and the rules.
    Recovered: no breach, and the score is not under the threshold."""
    wanted: dict[tuple[str, str], Wanted] = {}
    total = sum(c.max_points for c in components.values())
    measured = sum(c.max_points for c in components.values() if c.status != ComponentStatus.INSUFFICIENT_DATA)
    share = measured / total if total else 0.0
    # A score resting mostly on missing data (the neutral share) triggers no tier or score rule.
    reliable = total > 0 and share >= rules.get("min_measured_share", 0)
    inputs = {**base, "score": score.score, "tier": score.tier, "measured_share": round(share, 4)}
    if reliable:
        if score.tier in rules.get("priority_recommendation_tiers", []):
            wanted[K.PRIORITY_RECOMMENDATION, ""] = Wanted(ConsequenceTrigger.TIER, inputs)
        percent = rules.get("deposit_discount_percent", {}).get(score.tier)
        if percent:
            wanted[K.DEPOSIT_DISCOUNT, ""] = Wanted(ConsequenceTrigger.TIER, inputs, percent)
        if score.tier in rules.get("campaign_ineligible_tiers", []):
            wanted[K.CAMPAIGN_INELIGIBLE, ""] = Wanted(ConsequenceTrigger.TIER, inputs)
    # Only `breach`: insufficient data is never a breach, so small samples trigger nothing here either.
    breached = [n for n in rules.get("breach_components", []) if _in_breach(components.get(n))]
    if rules.get("breach_warning"):
        for name in breached:
            wanted[K.WARNING, name] = Wanted(
                ConsequenceTrigger.BREACH, {**inputs, "components": {name: _component_inputs(components[name])}}
            )
    threshold = rules.get("restrict_below_score")
    low = threshold is not None and reliable and score.score < threshold
    if repeated or low:
        wanted[K.CREDIT_RESTRICTION, ""] = Wanted(
            ConsequenceTrigger.REPEATED_BREACH if repeated else ConsequenceTrigger.LOW_SCORE,
            {
                **inputs,
                "repeated": sorted(repeated),
                "runs": rules.get("repeated_breach_runs"),
                "threshold": threshold,
                "low_score": low,
                "components": {n: _component_inputs(components[n]) for n in sorted(set(repeated) | set(breached))},
            },
        )
    return wanted, not breached and (threshold is None or score.score >= threshold)


def _entry(
    actor: Actor, action: str, consequence: CreditConsequence, *, before=None, after=None, reason=""
) -> AuditEntry:
    return AuditEntry(
        **actor_fields(actor),
        action=action,
        object_type=CreditConsequence._meta.label_lower,
        object_id=str(consequence.pk),
        merchant_id=consequence.merchant_id,
        before=before,
        after=after,
        reason=reason,
    )


def _applied(consequence: CreditConsequence) -> dict:
    return {
        "kind": consequence.kind,
        "component": consequence.component,
        "trigger": consequence.trigger,
        "discount_percent": consequence.discount_percent,
        "policy_version": consequence.policy_version,
        "inputs": consequence.inputs,
        "active_from": consequence.active_from.isoformat(),
    }


def _lift(row: CreditConsequence, changes: Changes, *, at: datetime, reason: str, version: int, inputs: dict) -> None:
    row.lifted_at, row.lifted_reason, row.lifted_policy_version, row.lift_inputs = at, reason, version, inputs
    changes.updated.append(row)
    if row.kind == K.CREDIT_RESTRICTION:
        changes.reinstate[row.merchant_id] = reason
        changes.notify.append(
            (row.merchant_id, _("Your credit restriction is lifted"), _("Your store can trade normally again."))
        )


def _open(merchant_id: int, key: tuple[str, str], wish: Wanted, changes: Changes, *, at, version) -> None:
    kind, component = key
    changes.created.append(
        CreditConsequence(
            merchant_id=merchant_id,
            kind=kind,
            component=component,
            trigger=wish.trigger,
            discount_percent=wish.discount_percent,
            policy_version=version,
            inputs=wish.inputs,
            active_from=at,
        )
    )


def _restriction_reason(wish: Wanted, version: int) -> str:
    names = ", ".join(str(COMPONENT_LABELS.get(n, n)) for n in wish.inputs["repeated"])
    if names:
        why = _("%(names)s in breach in %(runs)s consecutive runs") % {"names": names, "runs": wish.inputs["runs"]}
    else:
        why = _("score %(score)s under %(threshold)s") % wish.inputs
    return _("Credit: %(why)s (policy v%(version)s).") % {"why": why, "version": version}


def consequences_apply(
    *,
    scores: list[CreditScore],
    policy: ScoringPolicy,
    as_of: datetime,
    window_days: int,
    actor: Actor = None,
    components: dict[int, dict[str, Evaluated]] | None = None,
) -> dict[str, int]:
    """Apply the policy's consequence rules to the merchants of these scores (each its merchant's newest), in
    bulk: a fixed number of queries for the chunk, however many merchants change. Call inside the transaction
    that wrote the scores. `components`: the scores' components as the caller wrote them ({merchant id: {name:
    Evaluated}}), which spares reading them back; read from the database when not given."""
    if not scores:
        return {"applied": 0, "lifted": 0}
    rules = policy.consequences or {}
    merchant_ids = [score.merchant_id for score in scores]
    with transaction.atomic():
        active = list(
            CreditConsequence.objects.select_for_update()
            .filter(merchant_id__any=merchant_ids, lifted_at__isnull=True)
            .order_by("pk")
        )
        if not rules and not active:
            return {"applied": 0, "lifted": 0}
        if components is None:
            components = _components_of(scores)
        runs = rules.get("repeated_breach_runs")
        names = rules.get("breach_components", [])
        breaching = [
            merchant_id
            for merchant_id in merchant_ids
            if any(_in_breach(components[merchant_id].get(name)) for name in names)
        ]
        repeated = (
            _repeated_breaches(breaching, as_of=as_of, window_days=window_days, runs=runs, names=names) if runs else {}
        )
        # Consequences staff lifted stay off until their override expires.
        held = set(
            CreditConsequence.objects.filter(
                merchant_id__any=merchant_ids, lifted_at__isnull=False, override_until__gt=as_of
            ).values_list("merchant_id", "kind", "component")
        )
        active_by_merchant: dict[int, list[CreditConsequence]] = defaultdict(list)
        for row in active:
            active_by_merchant[row.merchant_id].append(row)

        changes = Changes()
        run = {
            "base": {"policy_version": policy.version, "as_of": as_of.isoformat(), "window_days": window_days},
            "as_of": as_of,
            "version": policy.version,
            "probation": timedelta(days=rules.get("probation_days", 0)),
            "actor": actor,
        }
        for score in scores:
            _merchant_step(score, components[score.merchant_id], rules, repeated.get(score.merchant_id, set()),
                           active_by_merchant[score.merchant_id], held, changes, run)  # fmt: skip
        _write(changes, actor=actor)
    lifted = sum(1 for row in changes.updated if row.lifted_at is not None)
    return {"applied": len(changes.created), "lifted": lifted}


def _components_of(scores: list[CreditScore]) -> dict[int, dict[str, Evaluated]]:
    merchant_of = {score.pk: score.merchant_id for score in scores}
    components: dict[int, dict[str, Evaluated]] = {score.merchant_id: {} for score in scores}
    for score_id, *fields in ScoreComponent.objects.filter(score_id__any=list(merchant_of)).values_list(
        "score_id", *EVALUATED_FIELDS
    ):
        component = Evaluated(*fields)
        components[merchant_of[score_id]][component.name] = component
    return components


def _in_breach(component: Evaluated | None) -> bool:
    return component is not None and component.status == ComponentStatus.BREACH


def _merchant_step(score, components, rules, repeated, active, held, changes: Changes, run: dict) -> None:
    merchant_id, as_of, version = score.merchant_id, run["as_of"], run["version"]
    wanted, recovered = _wanted(score, components, rules, repeated, run["base"])
    lift_inputs = {**run["base"], "score": score.score, "tier": score.tier}
    for row in active:
        key = (row.kind, row.component)
        wish = wanted.pop(key, None)
        holding = row.override_until is not None and row.override_until > as_of
        if row.kind == K.CREDIT_RESTRICTION:
            _restriction_step(row, wish, recovered, holding, changes, run=run, inputs=lift_inputs)
            if row.lifted_at is None:
                # Still in force: a merchant reinstated meanwhile (say, after another restriction ended) is
                # restricted for credit again.
                changes.restrict[merchant_id] = _("Credit restriction in force (policy v%(version)s).") % {
                    "version": row.policy_version
                }
        elif wish is None:
            if not holding:
                _lift(row, changes, at=as_of, reason=_("The policy's rules no longer call for it."),
                      version=version, inputs=lift_inputs)  # fmt: skip
        elif row.kind == K.DEPOSIT_DISCOUNT and wish.discount_percent != row.discount_percent and not holding:
            # The policy changed the discount: the old one ends, the new one carries the new version.
            _lift(row, changes, at=as_of, reason=_("The policy changed the discount."), version=version,
                  inputs=lift_inputs)  # fmt: skip
            _open(merchant_id, key, wish, changes, at=as_of, version=version)
    for key, wish in wanted.items():
        if (merchant_id, *key) in held:
            continue
        _open(merchant_id, key, wish, changes, at=as_of, version=version)
        if key[0] == K.CREDIT_RESTRICTION:
            changes.restrict[merchant_id] = _restriction_reason(wish, version)


def _restriction_step(row, wish, recovered, holding, changes: Changes, *, run: dict, inputs: dict) -> None:
    """An active restriction: triggered again resets its probation; recovered starts probation, and lifts it
    once a run finds the merchant still recovered after the probation (and after any override)."""
    as_of, version, actor = run["as_of"], run["version"], run["actor"]
    if wish is None and recovered:
        if row.probation_until is None:
            row.probation_until = as_of + run["probation"]
            changes.updated.append(row)
            changes.entries.append(
                _entry(actor, "credit_consequence.probation", row,
                       after={"probation_until": row.probation_until.isoformat(), "policy_version": version,
                              "inputs": inputs},
                       reason=_("Recovered: no breach and the score is not under the threshold."))
            )  # fmt: skip
        if row.probation_until <= as_of and not holding:
            _lift(row, changes, at=as_of, reason=_("Recovered through the probation period."), version=version,
                  inputs=inputs)  # fmt: skip
        return
    if row.probation_until is not None:
        before = row.probation_until.isoformat()
        row.probation_until = None
        changes.updated.append(row)
        changes.entries.append(
            _entry(actor, "credit_consequence.probation_reset", row, before={"probation_until": before},
                   after={"policy_version": version, "inputs": inputs},
                   reason=_("Not recovered during probation."))
        )  # fmt: skip


def _write(changes: Changes, *, actor: Actor) -> None:
    updated = list({row.pk: row for row in changes.updated}.values())
    if updated:
        # Lifts first: a replacement of the same kind may be created below (one active per kind).
        CreditConsequence.objects.bulk_update(
            updated, ["lifted_at", "lifted_reason", "lifted_policy_version", "lift_inputs", "probation_until"],
            batch_size=1000,
        )  # fmt: skip
    for row in updated:
        if row.lifted_at is not None:
            changes.entries.append(
                _entry(actor, "credit_consequence.lift", row, before=_applied(row),
                       after={"policy_version": row.lifted_policy_version, "inputs": row.lift_inputs},
                       reason=row.lifted_reason)
            )  # fmt: skip
    if changes.created:
        created = CreditConsequence.objects.bulk_create(changes.created, batch_size=1000)
        if any(row.pk is None for row in created):  # backends that do not return ids
            ids = {
                (c.merchant_id, c.kind, c.component): c.pk
                for c in CreditConsequence.objects.filter(
                    merchant_id__in={row.merchant_id for row in created}, lifted_at__isnull=True
                )
            }
            for row in created:
                row.pk = ids[row.merchant_id, row.kind, row.component]
        for row in created:
            changes.entries.append(
                _entry(actor, "credit_consequence.apply", row, after=_applied(row), reason=row.explanation)
            )
            if row.kind == K.WARNING:
                title = _("Credit warning: %(name)s") % {"name": row.component_label}
                changes.notify.append((row.merchant_id, title, row.explanation))
            elif row.kind == K.CREDIT_RESTRICTION:
                changes.notify.append((row.merchant_id, _("Your store is restricted for credit"), row.explanation))
    objects_copy(changes.entries)
    _notify(changes.notify)
    _merchant_status(restrict=changes.restrict, reinstate=changes.reinstate, actor=actor)


def _notify(messages: list[tuple[int, str, str]]) -> None:
    if not messages:
        return
    members: dict[int, list] = defaultdict(list)
    memberships = MerchantMembership.objects.filter(merchant_id__in={m for m, _t, _b in messages})
    for membership in memberships.select_related("user"):
        members[membership.merchant_id].append(membership.user)
    url = reverse("credit_portal:score")
    notify_many(
        [
            Notification(recipient=user, merchant_id=merchant_id, kind="credit", title=title[:200], body=body, url=url)
            for merchant_id, title, body in messages
            for user in members[merchant_id]
        ]
    )


def _merchant_status(*, restrict: dict[int, str], reinstate: dict[int, str], actor: Actor) -> None:
    """Restrict for credit only a merchant that is active (never another reason's restriction, never a
    suspension downgraded); reinstate only a merchant restricted for credit. Each in bulk: one locked read,
    one update and one audit write for all the merchants of the chunk that change."""
    from merchants.services import merchants_transition

    reinstate = {m: why for m, why in reinstate.items() if m not in restrict}
    merchants_transition(
        reasons=restrict,
        action="merchant.restrict",
        status=MerchantStatus.RESTRICTED,
        actor=actor,
        only=Q(status=MerchantStatus.ACTIVE),
        restriction_reason=RestrictionReason.CREDIT,
    )
    merchants_transition(
        reasons=reinstate,
        action="merchant.reinstate",
        status=MerchantStatus.ACTIVE,
        actor=actor,
        only=Q(status=MerchantStatus.RESTRICTED, restriction_reason=RestrictionReason.CREDIT),
        restriction_reason=None,
    )


# --- Staff overrides --------------------------------------------------------------------------------------


def hold_until(day: date) -> datetime:
    """An override given as a date holds through the end of that day in the platform's time zone."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone())


def _check_override(*, actor, reason: str, until) -> datetime:
    if not (getattr(actor, "is_staff", False) and has_role(actor, RISK_OFFICER, PLATFORM_ADMIN)):
        raise PermissionDenied(_("Only risk officers override credit consequences."))
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Say why you override the rules.")]
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    if (
        not isinstance(until, date)
        or isinstance(until, datetime)
        or not today <= until <= today + timedelta(days=MAX_OVERRIDE_DAYS)
    ):
        errors["until"] = [_("The override holds from today up to %(max)d days ahead.") % {"max": MAX_OVERRIDE_DAYS}]
    if errors:
        raise ValidationError(errors)
    return hold_until(until)


def _override_inputs(merchant: Merchant, policy: ScoringPolicy, action: str, held: datetime) -> dict:
    return {
        "policy_version": policy.version,
        "override": action,
        "override_until": held.isoformat(),
        "score": merchant.credit_score,
        "tier": merchant.tier,
    }


def credit_consequence_override(
    *, consequence: CreditConsequence, actor, action: str, until: date, reason: str
) -> CreditConsequence:
    """A risk officer lifts an active consequence, or extends it; either holds against the scoring runs until
    the end of `until`: a lifted one is not applied again before then, an extended one not lifted before then."""
    from credit.selectors import current_policy
    from merchants.services import merchant_reinstate, merchant_restrict

    if action not in OverrideAction.values:
        raise ValidationError({"action": [_("The action is lift or extend.")]})
    held = _check_override(actor=actor, reason=reason, until=until)
    reason = reason.strip()
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=consequence.merchant_id)
        row = CreditConsequence.objects.select_for_update().get(pk=consequence.pk)
        if row.lifted_at is not None:
            raise InvalidTransition(_("This consequence is already lifted."))
        policy = current_policy()
        now = timezone.now()
        before = {**_applied(row), "override_until": row.override_until.isoformat() if row.override_until else None}
        inputs = _override_inputs(merchant, policy, action, held)
        row.override_until, row.overridden_by, row.override_reason, row.overridden_at = held, actor, reason, now
        fields = ["override_until", "overridden_by", "override_reason", "overridden_at"]
        if action == OverrideAction.LIFT:
            row.lifted_at, row.lifted_reason, row.lifted_policy_version, row.lift_inputs = (
                now,
                reason,
                policy.version,
                inputs,
            )
            row.save(update_fields=[*fields, "lifted_at", "lifted_reason", "lifted_policy_version", "lift_inputs"])
            audit(actor=actor, action="credit_consequence.lift", obj=row, before=before,
                  after={"policy_version": policy.version, "inputs": inputs}, reason=reason)  # fmt: skip
            if row.kind == K.CREDIT_RESTRICTION:
                _notify([(row.merchant_id, _("Your credit restriction is lifted"), reason)])
                if (
                    merchant.status == MerchantStatus.RESTRICTED
                    and merchant.restriction_reason == RestrictionReason.CREDIT
                ):
                    merchant_reinstate(merchant=merchant, actor=actor, reason=reason)
        else:
            row.save(update_fields=fields)
            audit(actor=actor, action="credit_consequence.override", obj=row, before=before,
                  after={"override_until": held.isoformat(), "policy_version": policy.version, "inputs": inputs},
                  reason=reason)  # fmt: skip
            if row.kind == K.CREDIT_RESTRICTION and merchant.status == MerchantStatus.ACTIVE:
                merchant_restrict(merchant=merchant, actor=actor, reason=reason,
                                  restriction_reason=RestrictionReason.CREDIT)  # fmt: skip
    return row


def credit_consequence_impose(
    *, merchant: Merchant, kind: str, actor, until: date, reason: str, discount_percent: int | None = None
) -> tuple[CreditConsequence, bool]:
    """A risk officer imposes a consequence the rules did not (or extends the active one of that kind); it holds
    against the runs until the end of `until`. Returns (consequence, created)."""
    from credit.selectors import current_policy
    from merchants.services import merchant_restrict

    errors: dict[str, list[str]] = {}
    if kind not in IMPOSABLE:
        errors["kind"] = [_("Choose a consequence staff can impose.")]
    if kind == K.DEPOSIT_DISCOUNT:
        if not _is_int(discount_percent) or not 1 <= discount_percent <= 100:
            errors["discount_percent"] = [_("A deposit discount is a whole percent from 1 to 100.")]
    elif discount_percent is not None:
        errors["discount_percent"] = [_("Only a deposit discount has a percent.")]
    held = _check_override(actor=actor, reason=reason, until=until)
    if errors:
        raise ValidationError(errors)
    reason = reason.strip()
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        policy = current_policy()
        now = timezone.now()
        inputs = _override_inputs(merchant, policy, "impose", held)
        row = (
            CreditConsequence.objects.select_for_update()
            .filter(merchant=merchant, kind=kind, component="", lifted_at__isnull=True)
            .first()
        )
        created = row is None
        if created:
            row = CreditConsequence.objects.create(
                merchant=merchant,
                kind=kind,
                trigger=ConsequenceTrigger.OVERRIDE,
                discount_percent=discount_percent,
                policy_version=policy.version,
                inputs=inputs,
                active_from=now,
                override_until=held,
                overridden_by=actor,
                override_reason=reason,
                overridden_at=now,
            )
            audit(actor=actor, action="credit_consequence.apply", obj=row, after=_applied(row), reason=reason)
            if kind == K.CREDIT_RESTRICTION:
                _notify([(merchant.pk, _("Your store is restricted for credit"), reason)])
        else:
            before = {**_applied(row), "override_until": row.override_until.isoformat() if row.override_until else None}
            row.override_until, row.overridden_by, row.override_reason, row.overridden_at = held, actor, reason, now
            row.discount_percent = discount_percent
            row.save(update_fields=["override_until", "overridden_by", "override_reason", "overridden_at",
                                    "discount_percent"])  # fmt: skip
            audit(actor=actor, action="credit_consequence.override", obj=row, before=before,
                  after={"override_until": held.isoformat(), "discount_percent": discount_percent,
                         "policy_version": policy.version, "inputs": inputs}, reason=reason)  # fmt: skip
        if kind == K.CREDIT_RESTRICTION and merchant.status == MerchantStatus.ACTIVE:
            merchant_restrict(
                merchant=merchant, actor=actor, reason=reason, restriction_reason=RestrictionReason.CREDIT
            )
    return row, created
