"""The automatic checks as pure functions: given facts, then a pass, a warning or a failure."""

from datetime import date, timedelta

import pytest

from onboarding import checks
from onboarding.choices import CheckResult

# Codes printed on real, public business licences.
VALID = ["91350100M000100Y43", "9144030071526726XG", "914403001922038216", "91330100716105852F", "91110000600037341L"]


@pytest.mark.parametrize("code", VALID)
def test_known_valid_codes_pass(code):
    assert checks.uscc_is_valid(code)
    [outcome] = checks.check_uscc(code)
    assert outcome.result == CheckResult.PASS


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91350100M000100Y44", "wrong check character"),
        ("9144030071526726XA", "wrong check character"),
        ("914403001922038217", "wrong check character"),
        ("91350100M000100Y4", "17 characters"),
        ("91350100M000100Y433", "19 characters"),
        ("91350100m000100y43", "lower case"),
        ("91350100I000100Y43", "I is not in the character set"),
        ("91350100O000100Y43", "O is not in the character set"),
        ("913501A0M000100Y43", "region code with a letter"),
        ("", "empty"),
    ],
)
def test_invalid_codes_fail(code, why):
    assert not checks.uscc_is_valid(code), why
    [outcome] = checks.check_uscc(code)
    assert outcome.result == CheckResult.FAIL


def test_the_check_character_follows_gb_32100():
    # given the first 17 characters of a real code, then the 18th is computed from the weights mod 31
    assert checks.uscc_check_character("91350100M000100Y4") == "3"
    assert checks.uscc_check_character("9144030071526726X") == "G"


TODAY = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("issued", "expires", "result"),
    [
        (date(2020, 1, 1), date(2026, 6, 14), CheckResult.FAIL),  # expired yesterday
        (date(2020, 1, 1), TODAY, CheckResult.WARN),  # expires today
        (date(2020, 1, 1), TODAY + timedelta(days=30), CheckResult.WARN),  # within 30 days
        (date(2020, 1, 1), TODAY + timedelta(days=31), CheckResult.PASS),
        (date(2020, 1, 1), None, CheckResult.PASS),  # long-term licence
        (TODAY + timedelta(days=1), None, CheckResult.FAIL),  # issued in the future
        (date(2025, 1, 1), date(2024, 1, 1), CheckResult.FAIL),  # expires before it was issued
    ],
)
def test_document_dates(issued, expires, result):
    outcome = checks.check_document_dates(
        doc_type="business_licence", issued_on=issued, expires_on=expires, today=TODAY
    )
    assert outcome.result == result
    assert outcome.subject == "business_licence"


def test_duplicates_fail_only_for_values_another_merchant_holds():
    outcomes = checks.check_duplicates(
        identifiers={"uscc": "X1", "legal_rep_id": "ID1", "bank_account": ""},
        holders={"legal_rep_id": [7, 3, 7]},
    )
    assert [(o.subject, o.result) for o in outcomes] == [("legal_rep_id", "fail"), ("uscc", "pass")]
    assert outcomes[0].params["merchants"] == "3, 7"


def test_required_documents_name_what_is_missing():
    missing = checks.check_required_documents(required={"a", "b", "c"}, present={"b"})
    assert missing.result == CheckResult.FAIL and missing.params == {"missing": "a, c"}
    assert checks.check_required_documents(required={"a"}, present={"a", "z"}).result == CheckResult.PASS


def test_blacklist():
    outcomes = checks.check_blacklist(
        identifiers={"uscc": "U", "bank_account": "B"}, blacklisted={("bank_account", "B"): "fraud"}
    )
    assert [(o.subject, o.result) for o in outcomes] == [("bank_account", "fail"), ("uscc", "pass")]
    assert outcomes[0].params["reason"] == "fraud"


def test_document_file_facts():
    good = checks.FileFacts("legal_rep_id", "abc", "abc", "image/png", 100, 1000)
    assert checks.check_document_file(good).result == CheckResult.PASS
    for bad in (
        checks.FileFacts("legal_rep_id", "abc", "abd", "image/png", 100, 1000),
        checks.FileFacts("legal_rep_id", "abc", None, None, 100, 1000),
        checks.FileFacts("legal_rep_id", "abc", "abc", None, 100, 1000),
        checks.FileFacts("legal_rep_id", "abc", "abc", "image/png", 1001, 1000),
    ):
        assert checks.check_document_file(bad).result == CheckResult.FAIL
