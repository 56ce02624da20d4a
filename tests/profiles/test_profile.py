import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from core.crypto import blind_index
from core.models import AuditEntry
from profiles import services
from profiles.models import FieldChange, Profile
from profiles.validators import id_check_character, resident_id_is_valid, validate_address
from tests.factories import MerchantFactory, merchant_owner, staff
from tests.orders.factories import ensure_regions
from tests.profiles.factories import BANK_ACCOUNT, ID_NUMBER, filled

pytestmark = pytest.mark.django_db


def _raw(table, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_the_id_check_character_follows_iso_7064_mod_11_2():
    assert id_check_character("11010519491231002") == "X"
    assert resident_id_is_valid("11010519491231002X")
    assert not resident_id_is_valid("110105194912310021")  # wrong check character
    assert not resident_id_is_valid("11010519491331002X")  # month 13
    assert not resident_id_is_valid("1101051949123100")


def test_address_codes_must_nest_in_the_divisions():
    ensure_regions()
    validate_address(province_code="310000", city_code="310100", county_code="310101")
    with pytest.raises(ValidationError) as error:
        validate_address(province_code="310000", city_code="310100", county_code="440305")
    assert "county_code" in error.value.message_dict
    with pytest.raises(ValidationError):
        validate_address(province_code="990000", city_code="310100", county_code="310101")


def test_raw_sql_shows_no_plaintext_and_blind_indexes_find_equal_values():
    # given two merchants with the same bank account
    first, second = MerchantFactory(), MerchantFactory()
    filled(first)
    filled(second)
    # then the columns hold tokens, not the numbers
    for column in ("legal_rep_id_number", "bank_account_number"):
        for value in _raw("profiles_profile", column):
            assert ID_NUMBER not in value and BANK_ACCOUNT not in value and value.startswith("gAAAA")
    for value in _raw("profiles_fieldchange", "after") + _raw("core_auditentry", "after"):
        assert ID_NUMBER not in str(value) and BANK_ACCOUNT not in str(value)
    # and the blind index finds the duplicate without decrypting
    index = blind_index(BANK_ACCOUNT, purpose="bank_account_number")
    assert set(Profile.objects.filter(bank_account_index=index).values_list("merchant_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert Profile.objects.get(merchant=first).bank_account_number == BANK_ACCOUNT


def test_rows_under_an_old_key_read_after_rotation_and_the_command_moves_them():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        merchant = MerchantFactory()
        filled(merchant)
        before = _raw("profiles_profile", "bank_account_number")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        # the old rows still read
        assert Profile.objects.get(merchant=merchant).bank_account_number == BANK_ACCOUNT
        call_command("reencrypt_fields", "--chunk-size", "2")
        after = _raw("profiles_profile", "bank_account_number")
        assert after != before
        # running again changes nothing
        call_command("reencrypt_fields")
        assert _raw("profiles_profile", "bank_account_number") == after
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        # the old key can go: every encrypted column now reads with the new one alone
        profile = Profile.objects.get(merchant=merchant)
        assert (profile.bank_account_number, profile.legal_rep_id_number) == (BANK_ACCOUNT, ID_NUMBER)
        assert FieldChange.objects.filter(change_request__merchant=merchant).count() == 0
        for change in FieldChange.objects.all():
            assert change.after is not None


def test_the_api_masks_and_an_admin_reveals_with_a_reason(as_user):
    merchant = MerchantFactory()
    owner = merchant_owner(merchant)
    filled(merchant)
    url = f"/api/v1/merchants/{merchant.pk}/profile/"
    body = as_user(owner).get(url).json()
    assert body["bank_account_number"] == "***************0123"
    assert body["legal_rep_id_number"] == "1****************X"
    assert BANK_ACCOUNT not in str(body) and ID_NUMBER not in str(body)
    # a reviewer may not reveal; nor may the owner
    reviewer, admin = staff("reviewer"), staff("platform_admin")
    payload = {"field": "bank_account_number", "reason": "Payout dispute #42"}
    assert as_user(reviewer).post(url + "reveal/", payload, format="json").status_code == 403
    assert as_user(owner).post(url + "reveal/", payload, format="json").status_code == 403
    # without a reason, refused and nothing audited
    response = as_user(admin).post(url + "reveal/", {"field": "bank_account_number", "reason": ""}, format="json")
    assert response.status_code == 400 and not AuditEntry.objects.filter(action="profile.reveal").exists()
    response = as_user(admin).post(url + "reveal/", payload, format="json")
    assert response.json() == {"field": "bank_account_number", "value": BANK_ACCOUNT}
    entry = AuditEntry.objects.get(action="profile.reveal")
    assert (entry.actor_user, entry.reason, entry.after) == (
        admin,
        "Payout dispute #42",
        {"field": "bank_account_number"},
    )
    # the merchant's history does not show staff-only entries; staff's does
    owner_history = as_user(owner).get(f"/api/v1/merchants/{merchant.pk}/history/").json()["results"]
    staff_history = as_user(admin).get(f"/api/v1/merchants/{merchant.pk}/history/").json()["results"]
    assert "profile.reveal" not in {e["action"] for e in owner_history}
    assert "profile.reveal" in {e["action"] for e in staff_history}


def test_pages_mask_the_values(client):
    merchant = MerchantFactory()
    owner = merchant_owner(merchant)
    filled(merchant)
    client.force_login(owner)
    page = client.get(f"/portal/merchant-info/{merchant.pk}/").content.decode()
    assert "***************0123" in page and BANK_ACCOUNT not in page and ID_NUMBER not in page
    admin = staff("platform_admin")
    client.force_login(admin)
    page = client.get(f"/staff/merchant-info/merchants/{merchant.pk}/").content.decode()
    assert BANK_ACCOUNT not in page
    response = client.post(
        f"/staff/merchant-info/merchants/{merchant.pk}/reveal/", {"field": "bank_account_number", "reason": "audit"}
    )
    assert response.status_code == 302
    assert BANK_ACCOUNT in client.get(response.url).content.decode()
    assert BANK_ACCOUNT not in client.get(response.url).content.decode()  # shown once
    assert AuditEntry.objects.filter(action="profile.reveal", reason="audit").count() == 1


def test_low_risk_fields_change_at_once_and_high_risk_ones_are_refused(as_user):
    merchant = MerchantFactory()
    owner = merchant_owner(merchant)
    url = f"/api/v1/merchants/{merchant.pk}/profile/"
    response = as_user(owner).patch(url, {"contact_phone": "+86 139 0000 0000"}, format="json")
    assert response.status_code == 200 and response.json()["contact_phone"] == "+86 139 0000 0000"
    entry = AuditEntry.objects.get(action="profile.update")
    assert entry.after == {"contact_phone": "+86 139 0000 0000"} and entry.actor_user == owner
    response = as_user(owner).patch(url, {"bank_account_number": "6222000000000001"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "bank_account_number"
    assert Profile.objects.get(merchant=merchant).bank_account_number == ""


def test_a_logo_must_be_an_image():
    from tests.onboarding.factories import pdf, png

    merchant = MerchantFactory()
    owner = merchant_owner(merchant)
    with pytest.raises(ValidationError):
        services.profile_update(merchant=merchant, actor=owner, changes={}, logo=pdf())
    profile = services.profile_update(merchant=merchant, actor=owner, changes={}, logo=png())
    assert profile.store_logo.name.endswith(".png")
