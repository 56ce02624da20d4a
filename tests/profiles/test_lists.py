import datetime

import pytest

from profiles.models import ChangeRequest, FieldChange, ReverificationRound, ReverificationTask
from tests.factories import MerchantFactory, merchant_owner, staff
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db


def _requests(merchant, status="approved"):
    def add(n):
        for _ in range(n):
            request = ChangeRequest.objects.create(merchant=merchant, status=status, required_documents=[])
            FieldChange.objects.create(change_request=request, field="legal_name", before='"a"', after='"b"')

    return add


def test_the_change_request_list_has_a_fixed_query_count(as_user):
    merchant = MerchantFactory()
    client = as_user(merchant_owner(merchant))
    url = f"/api/v1/merchants/{merchant.pk}/change-requests/?page_size=200"
    assert_constant_queries(lambda: client.get(url), _requests(merchant))


def test_the_staff_queue_has_a_fixed_query_count(client):
    client.force_login(staff("reviewer"))

    def add(n):
        for _ in range(n):
            _requests(MerchantFactory(), status="submitted")(1)

    assert_constant_queries(lambda: client.get("/staff/merchant-info/change-requests/"), add)


def test_the_reverification_lists_have_a_fixed_query_count(as_user, client):
    ops = staff("ops_manager")
    round_ = ReverificationRound.objects.create(name="r", criteria={}, due_on=datetime.date(2020, 1, 1), started_by=ops)

    def add(n):
        for _ in range(n):
            ReverificationTask.objects.create(round=round_, merchant=MerchantFactory(), due_on=round_.due_on)

    api = as_user(ops)
    assert_constant_queries(lambda: api.get("/api/v1/reverification/tasks/?page_size=200&overdue=true"), add)
    client.force_login(ops)
    assert_constant_queries(lambda: client.get("/staff/merchant-info/reverification/"), add)


def test_the_history_page_has_a_fixed_query_count(client):
    from profiles import services

    merchant = MerchantFactory()
    client.force_login(merchant_owner(merchant))

    def add(n):
        for index in range(n):
            services.profile_update(merchant=merchant, actor=None, changes={"contact_name": f"Name {index} {n}"})

    assert_constant_queries(lambda: client.get(f"/portal/merchant-info/{merchant.pk}/history/"), add)
