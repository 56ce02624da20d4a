"""Encryption of sensitive fields at rest (Fernet, with key rotation) and their masked display.

`FIELD_ENCRYPTION_KEYS` lists Fernet keys, newest first: the newest encrypts, every key decrypts, so a
key is rotated by putting a new one in front and re-encrypting old rows. A keyed hash ("blind index")
lets the database find equal values (duplicate bank accounts, say) without decrypting anything.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def derive_key(secret: str, purpose: str) -> bytes:
    """A Fernet key derived from a secret, for the embedded demo only (production sets its own keys)."""
    digest = hashlib.sha256(f"merchantops:{purpose}:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS holds an invalid Fernet key: {error}") from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS (was a key removed too early?)."
        ) from None


def rotate(token: str) -> str:
    """The same plaintext, encrypted under the newest key."""
    return fernet().rotate(token.encode()).decode()


def is_current(token: str) -> bool:
    """Whether the token was made with the newest key (a token does not name its key, so try it)."""
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash of a normalised value: equal inputs give equal outputs, and it reveals nothing alone."""
    normalised = "".join(value.split()).upper()
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{purpose}:{normalised}".encode(), hashlib.sha256).hexdigest()


def mask(value: str | None, *, keep_start: int = 0, keep_end: int = 4, fill: str = "*") -> str:
    """`6222********1234`: enough to recognise a value, not enough to use it."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return fill * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + fill * hidden + (value[-keep_end:] if keep_end else "")
