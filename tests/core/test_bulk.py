"""Bulk writes by COPY (PostgreSQL) or bulk_create (elsewhere) store every value as an INSERT would."""

from datetime import UTC, datetime

import pytest

from core.bulk import rows_copy
from core.models import ActorType, AuditEntry

pytestmark = pytest.mark.django_db


def test_copied_rows_read_back_exactly_awkward_text_json_nulls_and_times_included():
    awkward = 'tab\there, line\nbreak, back\\slash, "quotes" and \\N'
    when = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    fields = ("actor_type", "actor_user", "actor_label", "action", "object_type", "object_id", "merchant_id", "before",
              "after", "reason", "created_at")  # fmt: skip
    rows = [
        (ActorType.SYSTEM, None, "\\N" if n == 2 else "system", "bulk.test", "merchants.merchant", str(n), n,
         {"text": awkward, "n": None} if n else None, {"score": 0.1 + 0.2, "list": [1, "two"]},
         awkward if n else "", when)
        for n in range(3)
    ]  # fmt: skip
    rows_copy(AuditEntry, fields, rows)
    stored = list(AuditEntry.objects.filter(action="bulk.test").order_by("object_id"))
    assert [e.object_id for e in stored] == ["0", "1", "2"]
    assert stored[0].before is None and stored[0].reason == ""
    assert stored[1].before == {"text": awkward, "n": None}
    assert stored[2].after == {"score": 0.1 + 0.2, "list": [1, "two"]}
    assert stored[2].reason == awkward
    assert stored[2].actor_label == "\\N"  # text that looks like COPY's NULL marker stays text
    assert {e.created_at for e in stored} == {when}
    assert {e.actor_user_id for e in stored} == {None}


def test_nothing_to_copy_writes_nothing():
    rows_copy(AuditEntry, ("action",), [])
    assert not AuditEntry.objects.filter(action="bulk.test").exists()


def test_unsaved_instances_are_copied_with_their_defaults():
    from core.bulk import objects_copy

    entries = [
        AuditEntry(
            actor_type=ActorType.SYSTEM, action="bulk.objects", object_type="x", object_id=str(n), after={"n": n}
        )
        for n in range(3)
    ]
    objects_copy(entries)
    objects_copy([])
    stored = list(AuditEntry.objects.filter(action="bulk.objects").order_by("object_id"))
    assert [(e.object_id, e.after) for e in stored] == [(str(n), {"n": n}) for n in range(3)]
    assert {e.created_at for e in stored} == {e.created_at for e in entries}
