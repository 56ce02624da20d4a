"""External records: entered one at a time by risk officers, or imported from a CSV file (all or nothing)."""

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import PLATFORM_ADMIN, RISK_OFFICER, has_role
from core.audit import actor_fields, audit
from core.models import AuditEntry
from credit.choices import CreditGrade, RecordKind, RecordSeverity, RecordSource
from credit.models import ExternalRecord, ExternalRecordImport
from merchants.models import Merchant

MAX_IMPORT_ROWS = 10_000
MAX_REPORTED_ERRORS = 100
REQUIRED_COLUMNS = ("source", "kind", "date", "reference")
MERCHANT_COLUMNS = ("uscc", "merchant_id", "external_ref")
# What makes two rows the same record (the description may be reworded without making it another record).
SAME_RECORD = ("merchant_id", "kind", "date", "severity", "grade")


def _check_actor(actor) -> None:
    """Risk officers and platform admins; `None` is the system (the import command run by an operator)."""
    if actor is not None and not (getattr(actor, "is_staff", False) and has_role(actor, RISK_OFFICER, PLATFORM_ADMIN)):
        raise PermissionDenied(_("Only risk officers record external records."))


def _field_errors(*, source: str, kind: str, day, severity: str, grade: str, reference: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if source not in RecordSource.values:
        errors["source"] = [_("Unknown source %(value)r.") % {"value": source}]
    if kind not in RecordKind.values:
        errors["kind"] = [_("Unknown kind %(value)r.") % {"value": kind}]
    if not isinstance(day, date):
        errors["date"] = [_("A date is YYYY-MM-DD.")]
    elif day > timezone.localdate(timezone=timezone.get_default_timezone()):
        errors["date"] = [_("The date is in the future.")]
    if kind == RecordKind.CREDIT_GRADE:
        if grade not in CreditGrade.values:
            errors["grade"] = [_("A credit grade needs a grade: A, B, C or D.")]
        if severity:
            errors["severity"] = [_("A credit grade has a grade, not a severity.")]
    elif kind in RecordKind.values:
        if severity not in RecordSeverity.values:
            errors["severity"] = [_("A penalty or judgment needs a severity: low, medium or high.")]
        if grade:
            errors["grade"] = [_("Only a credit grade has a grade.")]
    if not reference.strip():
        errors["reference"] = [_("Give the issuer's reference number.")]
    elif len(reference) > 100:
        errors["reference"] = [_("The reference is at most 100 characters.")]
    return errors


def _snapshot(record: ExternalRecord) -> dict:
    return {
        "source": record.source,
        "kind": record.kind,
        "date": record.date.isoformat(),
        "severity": record.severity,
        "grade": record.grade,
        "reference": record.reference,
    }


def external_record_create(
    *,
    actor,
    merchant: Merchant,
    source: str,
    kind: str,
    date: date,
    reference: str,
    severity: str = "",
    grade: str = "",
    description: str = "",
) -> ExternalRecord:
    """A risk officer records one external record; it counts in the merchant's next scoring run."""
    _check_actor(actor)
    reference = reference.strip()
    errors = _field_errors(source=source, kind=kind, day=date, severity=severity, grade=grade, reference=reference)
    if not errors and ExternalRecord.objects.filter(source=source, reference=reference).exists():
        errors["reference"] = [_("This source's record %(ref)s is already recorded.") % {"ref": reference}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            record = ExternalRecord.objects.create(
                merchant=merchant,
                source=source,
                kind=kind,
                date=date,
                severity=severity,
                grade=grade,
                reference=reference,
                description=description.strip(),
                entered_by=actor,
            )
            audit(actor=actor, action="external_record.create", obj=record, after=_snapshot(record))
    except IntegrityError:
        # Someone recorded the same reference at the same moment.
        raise ValidationError(
            {"reference": [_("This source's record %(ref)s is already recorded.") % {"ref": reference}]}
        ) from None
    return record


# --- CSV import -------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    unchanged: int
    batch: ExternalRecordImport | None


def _cell(row: dict, name: str) -> str:
    return (row.get(name) or "").strip()


def _parse(text: str) -> tuple[list[tuple[int, dict]], list[str]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing or not set(MERCHANT_COLUMNS) & set(header):
        needed = ", ".join(missing) if missing else " / ".join(MERCHANT_COLUMNS)
        return [], [_("line 1: the header needs the columns %(names)s.") % {"names": needed}]
    reader.fieldnames = header
    rows = []
    for line, row in enumerate(reader, start=2):
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # a blank line
        rows.append((line, row))
        if len(rows) > MAX_IMPORT_ROWS:
            return [], [_("The file has more than %(max)d rows; split it.") % {"max": MAX_IMPORT_ROWS}]
    if not rows:
        return [], [_("The file has no records.")]
    return rows, []


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 18


def _merchants_for(rows: list[tuple[int, dict]]) -> tuple[dict, dict, dict]:
    usccs = {_cell(row, "uscc").upper() for _line, row in rows} - {""}
    ids = {int(v) for _line, row in rows if _is_id(v := _cell(row, "merchant_id"))}
    refs = {_cell(row, "external_ref") for _line, row in rows} - {""}
    by_uscc, by_id, by_ref = {}, {}, {}
    for pk, uscc, ref in Merchant.objects.filter(
        Q(uscc__in=usccs) | Q(pk__in=ids) | Q(external_ref__in=refs)
    ).values_list("pk", "uscc", "external_ref"):
        by_id[pk] = pk
        if uscc:
            by_uscc[uscc.upper()] = pk
        if ref:
            by_ref[ref] = pk
    return by_uscc, by_id, by_ref


def _merchant_of(row: dict, by_uscc: dict, by_id: dict, by_ref: dict) -> tuple[int | None, str | None]:
    """The merchant a row names (by USCC, merchant id or external reference; all given must agree)."""
    found = set()
    uscc, merchant_id, ref = _cell(row, "uscc").upper(), _cell(row, "merchant_id"), _cell(row, "external_ref")
    if not (uscc or merchant_id or ref):
        return None, _("name the merchant by uscc, merchant_id or external_ref")
    for given, table, label in (
        (uscc, by_uscc, "uscc"),
        (int(merchant_id) if _is_id(merchant_id) else merchant_id, by_id, "merchant_id"),
        (ref, by_ref, "external_ref"),
    ):
        if given in ("", None):
            continue
        if given not in table:
            return None, _("no merchant with %(column)s %(value)s") % {"column": label, "value": given}
        found.add(table[given])
    if len(found) > 1:
        return None, _("uscc, merchant_id and external_ref name different merchants")
    return found.pop(), None


def external_records_import_csv(*, content: bytes, file_name: str, actor) -> ImportResult:
    """Import a CSV of external records: columns source, kind, date (YYYY-MM-DD), reference, severity (penalties
    and judgments), grade (credit grades), description, and the merchant by uscc, merchant_id or external_ref.

    All or nothing: any bad row refuses the whole file, every bad row reported with its line number. A record
    already there (same source and reference, same details) is left alone, so importing a file again changes
    nothing; the same reference with other details is a bad row."""
    _check_actor(actor)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": [_("The file is not UTF-8 text.")]}) from None
    rows, errors = _parse(text)
    if errors:
        raise ValidationError({"file": errors})
    by_uscc, by_id, by_ref = _merchants_for(rows)
    existing = {
        (record["source"], record["reference"]): record
        for record in ExternalRecord.objects.filter(
            reference__in={_cell(row, "reference") for _line, row in rows}
        ).values("source", "reference", *SAME_RECORD)
    }
    new: list[ExternalRecord] = []
    unchanged = 0
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        problems = []
        merchant_id, problem = _merchant_of(row, by_uscc, by_id, by_ref)
        if problem:
            problems.append(problem)
        fields = {
            "source": _cell(row, "source").lower(),
            "kind": _cell(row, "kind").lower(),
            "severity": _cell(row, "severity").lower(),
            "grade": _cell(row, "grade").upper(),
            "reference": _cell(row, "reference"),
        }
        try:
            day = date.fromisoformat(_cell(row, "date"))
        except ValueError:
            day = None
        for field, messages in _field_errors(day=day, **fields).items():
            problems.extend(f"{field}: {message}" for message in messages)
        key = (fields["source"], fields["reference"])
        if not problems and key in seen:
            problems.append(_("the same reference as line %(line)d") % {"line": seen[key]})
        if problems:
            errors.append(_("line %(line)d: %(problems)s") % {"line": line, "problems": "; ".join(problems)})
            continue
        seen[key] = line
        candidate = {"merchant_id": merchant_id, **fields, "date": day}
        if key in existing:
            if any(existing[key][name] != candidate[name] for name in SAME_RECORD):
                errors.append(
                    _("line %(line)d: %(ref)s is already recorded for this source with other details")
                    % {"line": line, "ref": fields["reference"]}
                )
            else:
                unchanged += 1
            continue
        new.append(ExternalRecord(**candidate, description=_cell(row, "description"), entered_by=actor))
    if errors:
        more = len(errors) - MAX_REPORTED_ERRORS
        reported = errors[:MAX_REPORTED_ERRORS] + ([_("… and %(n)d more.") % {"n": more}] if more > 0 else [])
        raise ValidationError({"file": reported})
    if not new:
        return ImportResult(created=0, unchanged=unchanged, batch=None)
    try:
        with transaction.atomic():
            batch = ExternalRecordImport.objects.create(
                file_name=file_name[:255],
                sha256=hashlib.sha256(content).hexdigest(),
                created_count=len(new),
                unchanged_count=unchanged,
                imported_by=actor,
            )
            for record in new:
                record.imported_from = batch
            created = ExternalRecord.objects.bulk_create(new, batch_size=1000)
            if any(record.pk is None for record in created):  # backends that do not return ids
                ids = {
                    (source, reference): pk
                    for source, reference, pk in ExternalRecord.objects.filter(imported_from=batch).values_list(
                        "source", "reference", "pk"
                    )
                }
                for record in created:
                    record.pk = ids[record.source, record.reference]
            AuditEntry.objects.bulk_create(
                [
                    AuditEntry(
                        **actor_fields(actor),
                        action="external_record.create",
                        object_type=ExternalRecord._meta.label_lower,
                        object_id=str(record.pk),
                        merchant_id=record.merchant_id,
                        after=_snapshot(record),
                        reason=file_name[:200],
                    )
                    for record in created
                ],
                batch_size=1000,
            )
            audit(
                actor=actor,
                action="external_record.import",
                obj=batch,
                after={"file_name": batch.file_name, "created": len(new), "unchanged": unchanged},
            )
    except IntegrityError:
        # Another import took some of these references meanwhile; nothing of this file was kept.
        raise ValidationError({"file": [_("Some records were recorded meanwhile; import the file again.")]}) from None
    return ImportResult(created=len(new), unchanged=unchanged, batch=batch)
