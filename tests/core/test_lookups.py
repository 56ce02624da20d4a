"""`field__any=[…]` selects what `field__in=[…]` selects, on both backends, in one parameter on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ActorType, AuditEntry
from merchants.models import MerchantMembership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def entry(n: int, merchant_id: int | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor_type=ActorType.SYSTEM, action="lookup.test", object_type="x", object_id=str(n), merchant_id=merchant_id
    )


def test_any_selects_the_rows_whose_value_is_listed():
    entries = [entry(n) for n in range(5)]
    wanted = [entries[1].pk, entries[3].pk, 10**9]
    found = AuditEntry.objects.filter(pk__any=wanted).values_list("pk", flat=True)
    assert sorted(found) == [entries[1].pk, entries[3].pk]
    assert sorted(AuditEntry.objects.filter(object_id__any=["0", "4"]).values_list("object_id", flat=True)) == [
        "0",
        "4",
    ]
    # a generator and a tuple are values too
    assert AuditEntry.objects.filter(pk__any=(e.pk for e in entries[:2])).count() == 2


def test_an_empty_list_selects_nothing_and_excluding_it_keeps_everything():
    entry(1)
    assert list(AuditEntry.objects.filter(pk__any=[])) == []
    assert AuditEntry.objects.exclude(pk__any=[]).filter(action="lookup.test").count() == 1


def test_any_on_a_foreign_key_takes_ids():
    one, other = MembershipFactory(), MembershipFactory()
    assert list(MerchantMembership.objects.filter(merchant__any=[one.merchant_id])) == [one]
    assert list(MerchantMembership.objects.filter(merchant_id__any=[other.merchant_id])) == [other]
    assert MerchantMembership.objects.filter(merchant__any=[one.merchant_id, other.merchant_id]).count() == 2


def test_on_postgresql_the_values_travel_as_one_array_parameter():
    ids = list(range(1, 2001))
    with CaptureQueriesContext(connection) as captured:
        list(AuditEntry.objects.filter(pk__any=ids))
    sql = captured.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql
