"""Every write to merchants and their members goes through here."""

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, actor_fields, audit
from core.bulk import rows_copy
from core.models import AuditEntry
from core.transitions import ensure_transition
from merchants.choices import STATUS_TRANSITIONS, KycStatus, MembershipRole, MerchantStatus, RestrictionReason
from merchants.models import Category, Merchant, MerchantMembership

User = get_user_model()

STATE_FIELDS = ("status", "kyc_status", "restriction_reason")


def _state(merchant: Merchant) -> dict[str, str]:
    return {field: getattr(merchant, field) for field in STATE_FIELDS}


def merchant_user_register(*, username: str, password: str, email: str):
    """A person signs up to manage one or more merchants. They join or create a merchant afterwards."""
    user = User(username=username, email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [_("This username is taken.")]})
    with transaction.atomic():
        user.set_password(password)
        try:
            user.save()
        except IntegrityError:
            raise ValidationError({"username": [_("This username is taken.")]}) from None
        audit(actor=user, action="user.register", obj=user, after={"username": username, "email": email})
    return user


def merchant_create(
    *,
    actor: Actor,
    name: str,
    legal_name: str,
    uscc: str = "",
    external_ref: str = "",
    categories: list[Category] | None = None,
    owner=None,
) -> Merchant:
    """A new merchant, `pending` until onboarding approves it; `owner` becomes its first member."""
    if uscc and Merchant.objects.filter(uscc=uscc).exists():
        raise ValidationError({"uscc": [_("A merchant with this unified social credit code exists.")]})
    if external_ref and Merchant.objects.filter(external_ref=external_ref).exists():
        raise ValidationError({"external_ref": [_("A merchant with this external reference exists.")]})
    with transaction.atomic():
        try:
            merchant = Merchant.objects.create(name=name, legal_name=legal_name, uscc=uscc, external_ref=external_ref)
        except IntegrityError:
            raise ValidationError(_("A merchant with this code or reference exists.")) from None
        if categories:
            merchant.categories.set(categories)
        if owner is not None:
            MerchantMembership.objects.create(user=owner, merchant=merchant, role=MembershipRole.OWNER)
        audit(
            actor=actor,
            action="merchant.create",
            obj=merchant,
            merchant_id=merchant.pk,
            after={
                "name": name,
                "legal_name": legal_name,
                "uscc": uscc,
                "external_ref": external_ref,
                "categories": sorted(c.code for c in categories or []),
                **_state(merchant),
            },
        )
    return merchant


def _identity_update(
    merchant: Merchant,
    *,
    actor: Actor,
    action: str,
    reason: str,
    name: str | None,
    legal_name: str | None,
    uscc: str | None,
    categories: list[Category] | None,
) -> Merchant:
    """Write the identity fields of a locked merchant and audit the difference."""
    if uscc and Merchant.objects.filter(uscc=uscc).exclude(pk=merchant.pk).exists():
        raise ValidationError({"uscc": [_("A merchant with this unified social credit code exists.")]})
    before = {"name": merchant.name, "legal_name": merchant.legal_name, "uscc": merchant.uscc}
    changes = {
        field: value
        for field, value in (("name", name), ("legal_name", legal_name), ("uscc", uscc))
        if value is not None and getattr(merchant, field) != value
    }
    for field, value in changes.items():
        setattr(merchant, field, value)
    if changes:
        merchant.save(update_fields=[*changes, "updated_at"])
    old_codes = sorted(merchant.categories.values_list("code", flat=True))
    new_codes = old_codes if categories is None else sorted(c.code for c in categories)
    if new_codes != old_codes:
        merchant.categories.set(categories)
    if changes or new_codes != old_codes:
        audit(
            actor=actor,
            action=action,
            obj=merchant,
            merchant_id=merchant.pk,
            before={**before, "categories": old_codes},
            after={**before, **changes, "categories": new_codes},
            reason=reason,
        )
    return merchant


def merchant_profile_update(
    *,
    merchant: Merchant,
    actor: Actor,
    name: str | None = None,
    legal_name: str | None = None,
    uscc: str | None = None,
    categories: list[Category] | None = None,
) -> Merchant:
    """While a merchant is still `pending` (its application being prepared), its identity may change."""
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        if merchant.status != MerchantStatus.PENDING:
            raise ValidationError(_("Only a pending merchant's identity can change here."))
        return _identity_update(
            merchant,
            actor=actor,
            action="merchant.profile_update",
            reason="",
            name=name,
            legal_name=legal_name,
            uscc=uscc,
            categories=categories,
        )


def merchant_identity_change(
    *,
    merchant: Merchant,
    actor: Actor,
    reason: str,
    name: str | None = None,
    legal_name: str | None = None,
    uscc: str | None = None,
    categories: list[Category] | None = None,
) -> Merchant:
    """A reviewed change request changes an onboarded merchant's identity (name, legal name, code, categories)."""
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        return _identity_update(
            merchant,
            actor=actor,
            action="merchant.identity_change",
            reason=reason,
            name=name,
            legal_name=legal_name,
            uscc=uscc,
            categories=categories,
        )


def merchant_kyc_update(*, merchant: Merchant, actor: Actor, kyc_status: str, reason: str = "") -> Merchant:
    """Onboarding moves the KYC status along as the application is submitted or decided."""
    if kyc_status not in KycStatus.values:
        raise ValidationError({"kyc_status": [_("Unknown KYC status.")]})
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        if merchant.kyc_status != kyc_status:
            before = _state(merchant)
            merchant.kyc_status = kyc_status
            merchant.save(update_fields=["kyc_status", "updated_at"])
            audit(
                actor=actor,
                action="merchant.kyc_update",
                obj=merchant,
                merchant_id=merchant.pk,
                before=before,
                after=_state(merchant),
                reason=reason,
            )
    return merchant


def _transition(
    *,
    merchant: Merchant,
    actor: Actor,
    action: str,
    reason: str,
    status: str,
    from_states: frozenset[str] | None = None,
    **changes: str | None,
) -> Merchant:
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        table = STATUS_TRANSITIONS
        if from_states is not None:
            table = {state: moves for state, moves in table.items() if state in from_states}
        ensure_transition(table, merchant.status, status)
        before = _state(merchant)
        merchant.status = status
        for field, value in changes.items():
            setattr(merchant, field, value)
        merchant.save(update_fields=["status", *changes, "updated_at"])
        audit(
            actor=actor,
            action=action,
            obj=merchant,
            merchant_id=merchant.pk,
            before=before,
            after=_state(merchant),
            reason=reason,
        )
    return merchant


def merchant_activate(*, merchant: Merchant, actor: Actor, reason: str = "") -> Merchant:
    """Onboarding approved the merchant: it is active with its KYC approved."""
    return _transition(
        merchant=merchant,
        actor=actor,
        action="merchant.activate",
        reason=reason,
        status=MerchantStatus.ACTIVE,
        kyc_status=KycStatus.APPROVED,
        restriction_reason=None,
    )


def merchant_suspend(
    *, merchant: Merchant, actor: Actor, reason: str, restriction_reason: str = RestrictionReason.MANUAL
) -> Merchant:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the merchant is suspended.")]})
    return _transition(
        merchant=merchant,
        actor=actor,
        action="merchant.suspend",
        reason=reason,
        status=MerchantStatus.SUSPENDED,
        restriction_reason=restriction_reason,
    )


def merchant_restrict(
    *, merchant: Merchant, actor: Actor, reason: str, restriction_reason: str = RestrictionReason.MANUAL
) -> Merchant:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the merchant is restricted.")]})
    return _transition(
        merchant=merchant,
        actor=actor,
        action="merchant.restrict",
        reason=reason,
        status=MerchantStatus.RESTRICTED,
        restriction_reason=restriction_reason,
    )


def merchant_reinstate(*, merchant: Merchant, actor: Actor, reason: str) -> Merchant:
    """Lift a restriction or suspension: the merchant is active again."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the merchant is reinstated.")]})
    return _transition(
        merchant=merchant,
        actor=actor,
        action="merchant.reinstate",
        reason=reason,
        status=MerchantStatus.ACTIVE,
        restriction_reason=None,
        from_states=frozenset({MerchantStatus.RESTRICTED, MerchantStatus.SUSPENDED}),
    )


def membership_add(*, merchant: Merchant, user, role: str, actor: Actor) -> MerchantMembership:
    with transaction.atomic():
        membership, created = MerchantMembership.objects.get_or_create(
            merchant=merchant, user=user, defaults={"role": role}
        )
        if created:
            audit(
                actor=actor,
                action="membership.add",
                obj=membership,
                merchant_id=merchant.pk,
                after={"user": user.get_username(), "role": role},
            )
    return membership


AUDIT_COLUMNS = ("actor_type", "actor_user", "actor_api_key", "actor_label", "action", "object_type", "object_id",
                 "merchant_id", "before", "after", "reason", "created_at")  # fmt: skip


def _audit_rows(actor: Actor, action: str):
    """A maker of AUDIT_COLUMNS rows for one actor and action, each (merchant id, before, after, reason), all
    stamped with the same time: the bulk writes below audit many merchants in one COPY."""
    who = actor_fields(actor)
    user, key = who.get("actor_user"), who.get("actor_api_key")
    head = (who["actor_type"], user.pk if user else None, key.pk if key else None, who["actor_label"], action,
            Merchant._meta.label_lower)  # fmt: skip
    now = timezone.now()

    def row(pk: int, before: dict, after: dict, reason: str) -> tuple:
        return (*head, str(pk), pk, before, after, reason, now)

    return row, now


def merchants_transition(
    *,
    reasons: dict[int, str],
    action: str,
    status: str,
    actor: Actor,
    only: Q | None = None,
    **changes: str | None,
) -> list[int]:
    """Move many merchants to `status` at once, as `_transition` moves one: each checked against the state
    machine and audited with its own reason, but in one locked read, one UPDATE and one audit write (a scoring
    run that restricts thousands of merchants). Only the merchants matching `only` move, as found under the
    lock. Returns the ids that moved."""
    if not reasons:
        return []
    audit_row, now = _audit_rows(actor, action)
    with transaction.atomic():
        merchants = list(
            Merchant.objects.select_for_update()
            .filter(only or Q(), pk__any=list(reasons))
            .order_by("pk")
            .only("pk", *STATE_FIELDS)
        )
        entries = []
        for merchant in merchants:
            ensure_transition(STATUS_TRANSITIONS, merchant.status, status)
            before = _state(merchant)
            merchant.status = status
            for field, value in changes.items():
                setattr(merchant, field, value)
            entries.append(audit_row(merchant.pk, before, _state(merchant), reasons[merchant.pk]))
        moved = [merchant.pk for merchant in merchants]
        if moved:
            Merchant.objects.filter(pk__any=moved).update(status=status, updated_at=now, **changes)
            rows_copy(AuditEntry, AUDIT_COLUMNS, entries)
    return moved


def merchant_credit_scores_set(*, scores: dict[int, tuple[int, str]], actor: Actor, reason: str) -> int:
    """Set many merchants' `credit_score` and `tier` at once (a scoring run): the rows are locked, only the
    ones that change are written (one UPDATE per thousand) and each change is audited (one COPY, or bulk
    insert). Returns how many merchants changed."""
    if not scores:
        return 0
    audit_row, _now = _audit_rows(actor, "merchant.credit_score")
    with transaction.atomic():
        current = (
            Merchant.objects.select_for_update()
            .filter(pk__any=list(scores))
            .order_by("pk")
            .values_list("pk", "credit_score", "tier")
        )
        changed, entries = [], []
        for pk, old_score, old_tier in current:
            score, tier = scores[pk]
            if old_score == score and old_tier == tier:
                continue
            changed.append((pk, score, tier))
            entries.append(
                audit_row(pk, {"credit_score": old_score, "tier": old_tier}, {"credit_score": score, "tier": tier},
                          reason)
            )  # fmt: skip
        _credit_fields_update(changed)
        rows_copy(AuditEntry, AUDIT_COLUMNS, entries)
    return len(changed)


def _credit_fields_update(rows: list[tuple[int, int, str]]) -> None:
    """Write (id, credit score, tier) rows: UPDATE … FROM (VALUES …) per thousand on PostgreSQL (bulk_update's
    CASE per row and field costs more in Python than the update in the database); bulk_update elsewhere."""
    if connection.vendor != "postgresql":
        merchants = [Merchant(pk=pk, credit_score=score, tier=tier) for pk, score, tier in rows]
        Merchant.objects.bulk_update(merchants, ["credit_score", "tier"], batch_size=1000)
        return
    table = connection.ops.quote_name(Merchant._meta.db_table)
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        # the table name is ours; every value is a parameter
        sql = (
            f"UPDATE {table} SET credit_score = v.credit_score, tier = v.tier "  # noqa: S608
            f"FROM (VALUES {', '.join(['(%s, %s, %s)'] * len(chunk))}) AS v(id, credit_score, tier) "
            f"WHERE {table}.id = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in chunk for value in row])
