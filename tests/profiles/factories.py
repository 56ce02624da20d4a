"""Merchant information test data, reached through the real services."""

from datetime import date, timedelta

from onboarding import services as onboarding_services
from profiles import services
from tests.factories import staff
from tests.onboarding.factories import in_review, pdf
from tests.orders.factories import ensure_regions

ID_NUMBER = "11010519491231002X"
BANK_ACCOUNT = "6222021234567890123"


def onboarded(*, expires_on: date | None = None, categories=("apparel",)):
    """An active merchant approved through onboarding, with documents expiring on `expires_on`."""
    application = in_review(categories=categories)
    if expires_on is not None:
        application.documents.update(expires_on=expires_on)
    reviewer = staff("reviewer")
    onboarding_services.application_approve(application=application, reviewer=reviewer, override_reason="test")
    merchant = application.merchant
    merchant.refresh_from_db()
    return merchant, application.created_by


def filled(merchant, actor=None):
    ensure_regions()
    return services.profile_record(
        merchant=merchant,
        actor=actor,
        reason="test data",
        values={
            "registered_capital": "1000000",
            "founded_on": "2015-03-01",
            "business_scope": "Clothing retail",
            "province_code": "310000",
            "city_code": "310100",
            "county_code": "310101",
            "address_detail": "1 Nanjing East Road",
            "legal_rep_name": "Zhang San",
            "legal_rep_id_number": ID_NUMBER,
            "contact_name": "Li Lei",
            "contact_phone": "+86 138 0013 8000",
            "bank_name": "ICBC Shanghai",
            "bank_account_name": merchant.legal_name,
            "bank_account_number": BANK_ACCOUNT,
        },
    )


def proof(change_request, owner, doc_type, *, expires_on=None):
    return services.change_proof_add(
        change_request=change_request,
        actor=owner,
        doc_type=doc_type,
        file=pdf(),
        number=f"{doc_type}-new",
        issued_on=date.today() - timedelta(days=1),
        expires_on=expires_on or date.today() + timedelta(days=900),
    )
