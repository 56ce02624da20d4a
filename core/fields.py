from django.db import models

from core import crypto


class EncryptedTextField(models.TextField):
    """Stored as a Fernet token, read back as plain text. It cannot be searched: pair it with a
    blind-index column (`core.crypto.blind_index`) where equal values must be found."""

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull",):
            raise NotImplementedError(f"Encrypted fields cannot be filtered with `{lookup_name}`; use a blind index.")
        return super().get_lookup(lookup_name)
