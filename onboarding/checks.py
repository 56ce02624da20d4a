"""The automatic review checks, as pure functions of the facts they judge (no database, no clock).

Each returns CheckOutcome rows; `services.application_checks_complete` gathers the facts and stores them.
Messages are kept untranslated (gettext_noop) and translated when shown, in the reader's language.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext_noop

from onboarding.choices import CheckCode, CheckResult

# GB 32100-2015: 18 characters from this set (no I, O, S, V, Z); the 18th is a check character.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_SHAPE = re.compile(rf"^[{USCC_CHARS}]{{2}}[0-9]{{6}}[{USCC_CHARS}]{{10}}$")


@dataclass(frozen=True)
class CheckOutcome:
    code: str
    subject: str
    result: str
    message: str
    params: dict = field(default_factory=dict)


def uscc_check_character(body17: str) -> str:
    total = sum(USCC_CHARS.index(char) * weight for char, weight in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_is_valid(code: str) -> bool:
    """Format (registration authority, entity type, 6-digit region, organisation code) and check character."""
    if not isinstance(code, str) or not USCC_SHAPE.match(code):
        return False
    return uscc_check_character(code[:17]) == code[17]


def check_uscc(uscc: str) -> list[CheckOutcome]:
    if not uscc:
        return [CheckOutcome(CheckCode.USCC, "", CheckResult.FAIL, gettext_noop("No unified social credit code."))]
    if not USCC_SHAPE.match(uscc):
        message = gettext_noop("%(uscc)s is not in the GB 32100-2015 format.")
        return [CheckOutcome(CheckCode.USCC, "", CheckResult.FAIL, message, {"uscc": uscc})]
    if not uscc_is_valid(uscc):
        message = gettext_noop("The check character of %(uscc)s is wrong.")
        return [CheckOutcome(CheckCode.USCC, "", CheckResult.FAIL, message, {"uscc": uscc})]
    message = gettext_noop("%(uscc)s is well formed and its check character is right.")
    return [CheckOutcome(CheckCode.USCC, "", CheckResult.PASS, message, {"uscc": uscc})]


@dataclass(frozen=True)
class FileFacts:
    doc_type: str
    recorded_sha256: str
    actual_sha256: str | None  # None when the stored file cannot be read
    content_type: str | None  # recognised from the content, None when not an accepted type
    size: int
    max_size: int


def check_document_file(facts: FileFacts) -> CheckOutcome:
    subject = facts.doc_type
    if facts.actual_sha256 is None:
        message = gettext_noop("The stored file cannot be read.")
        return CheckOutcome(CheckCode.DOCUMENT_FILE, subject, CheckResult.FAIL, message)
    if facts.actual_sha256 != facts.recorded_sha256:
        message = gettext_noop("The stored file differs from the one uploaded.")
        return CheckOutcome(CheckCode.DOCUMENT_FILE, subject, CheckResult.FAIL, message)
    if facts.content_type is None:
        message = gettext_noop("The file is not a PDF, JPEG or PNG.")
        return CheckOutcome(CheckCode.DOCUMENT_FILE, subject, CheckResult.FAIL, message)
    if facts.size > facts.max_size:
        message = gettext_noop("The file is larger than %(max)d bytes.")
        return CheckOutcome(CheckCode.DOCUMENT_FILE, subject, CheckResult.FAIL, message, {"max": facts.max_size})
    message = gettext_noop("A %(type)s file of %(size)d bytes, intact.")
    params = {"type": facts.content_type, "size": facts.size}
    return CheckOutcome(CheckCode.DOCUMENT_FILE, subject, CheckResult.PASS, message, params)


def check_document_dates(
    *, doc_type: str, issued_on: date | None, expires_on: date | None, today: date, warning_days: int = 30
) -> CheckOutcome:
    """Expired fails, expiring within `warning_days` warns; an issue date in the future fails."""
    code, subject = CheckCode.DOCUMENT_DATES, doc_type
    if issued_on is not None and issued_on > today:
        message = gettext_noop("Issued on %(issued)s, which is in the future.")
        return CheckOutcome(code, subject, CheckResult.FAIL, message, {"issued": issued_on.isoformat()})
    if issued_on is not None and expires_on is not None and expires_on < issued_on:
        message = gettext_noop("Expires on %(expires)s, before it was issued.")
        return CheckOutcome(code, subject, CheckResult.FAIL, message, {"expires": expires_on.isoformat()})
    if expires_on is None:
        return CheckOutcome(code, subject, CheckResult.PASS, gettext_noop("Valid without an expiry date."))
    if expires_on < today:
        message = gettext_noop("Expired on %(expires)s.")
        return CheckOutcome(code, subject, CheckResult.FAIL, message, {"expires": expires_on.isoformat()})
    if expires_on <= today + timedelta(days=warning_days):
        message = gettext_noop("Expires on %(expires)s, within %(days)d days.")
        params = {"expires": expires_on.isoformat(), "days": warning_days}
        return CheckOutcome(code, subject, CheckResult.WARN, message, params)
    message = gettext_noop("Valid until %(expires)s.")
    return CheckOutcome(code, subject, CheckResult.PASS, message, {"expires": expires_on.isoformat()})


def check_duplicates(*, identifiers: Mapping[str, str], holders: Mapping[str, Iterable[int]]) -> list[CheckOutcome]:
    """`identifiers` maps a kind (uscc, legal_rep_id, bank_account, licence) to this applicant's value;
    `holders` maps the same kind to the ids of other merchants holding that value."""
    outcomes = []
    for kind, value in sorted(identifiers.items()):
        if not value:
            continue
        others = sorted(set(holders.get(kind, ())))
        if others:
            message = gettext_noop("%(value)s is already used by merchant(s) %(merchants)s.")
            params = {"value": value, "merchants": ", ".join(str(pk) for pk in others)}
            outcomes.append(CheckOutcome(CheckCode.DUPLICATES, kind, CheckResult.FAIL, message, params))
        else:
            message = gettext_noop("%(value)s is used by no other merchant.")
            outcomes.append(CheckOutcome(CheckCode.DUPLICATES, kind, CheckResult.PASS, message, {"value": value}))
    return outcomes


def check_required_documents(*, required: Iterable[str], present: Iterable[str]) -> CheckOutcome:
    missing = sorted(set(required) - set(present))
    if missing:
        message = gettext_noop("Missing: %(missing)s.")
        return CheckOutcome(
            CheckCode.REQUIRED_DOCUMENTS, "", CheckResult.FAIL, message, {"missing": ", ".join(missing)}
        )
    message = gettext_noop("Every document the categories require is there.")
    return CheckOutcome(CheckCode.REQUIRED_DOCUMENTS, "", CheckResult.PASS, message)


def check_blacklist(
    *, identifiers: Mapping[str, str], blacklisted: Mapping[tuple[str, str], str]
) -> list[CheckOutcome]:
    """`blacklisted` maps (kind, value) to the entry's reason, for the values of this applicant that are listed."""
    outcomes = []
    for kind, value in sorted(identifiers.items()):
        if not value:
            continue
        reason = blacklisted.get((kind, value))
        if reason is not None:
            message = gettext_noop("%(value)s is blacklisted: %(reason)s")
            params = {"value": value, "reason": reason}
            outcomes.append(CheckOutcome(CheckCode.BLACKLIST, kind, CheckResult.FAIL, message, params))
        else:
            message = gettext_noop("%(value)s is not blacklisted.")
            outcomes.append(CheckOutcome(CheckCode.BLACKLIST, kind, CheckResult.PASS, message, {"value": value}))
    return outcomes
