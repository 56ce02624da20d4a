import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from core import crypto
from core.fields import EncryptedTextField


def test_values_round_trip_and_the_token_hides_the_value():
    token = crypto.encrypt("6222021234567890123")
    assert "6222021234567890123" not in token
    assert crypto.decrypt(token) == "6222021234567890123"
    assert crypto.encrypt("same") != crypto.encrypt("same")  # randomised


def test_rotation_keeps_old_values_readable_and_rewrites_them_under_the_new_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        token = crypto.encrypt("110101199003074514")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        assert crypto.decrypt(token) == "110101199003074514"
        assert not crypto.is_current(token)
        rotated = crypto.rotate(token)
        assert crypto.is_current(rotated)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        assert crypto.decrypt(rotated) == "110101199003074514"
        with pytest.raises(ImproperlyConfigured):
            crypto.decrypt(token)


def test_an_invalid_key_is_a_configuration_error():
    with override_settings(FIELD_ENCRYPTION_KEYS=["not-a-key"]), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def test_the_blind_index_matches_equal_values_only():
    one = crypto.blind_index("6222 0212 3456", purpose="bank_account")
    assert one == crypto.blind_index("622202123456", purpose="bank_account")
    assert one != crypto.blind_index("622202123457", purpose="bank_account")
    assert one != crypto.blind_index("622202123456", purpose="legal_rep_id")
    with override_settings(BLIND_INDEX_KEY="another key"):
        assert one != crypto.blind_index("622202123456", purpose="bank_account")


def test_mask():
    assert crypto.mask("6222021234567890123") == "***************0123"
    assert crypto.mask("110101199003074514", keep_start=3, keep_end=2) == "110*************14"
    assert crypto.mask("12") == "**"
    assert crypto.mask(None) == ""


def test_the_field_encrypts_on_the_way_in_and_refuses_value_lookups():
    field = EncryptedTextField()
    stored = field.get_prep_value("secret")
    assert stored != "secret" and field.from_db_value(stored, None, None) == "secret"
    assert field.get_prep_value(None) is None
    with pytest.raises(NotImplementedError):
        field.get_lookup("exact")
