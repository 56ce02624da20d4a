"""Demo onboarding applications, one in each state, reached through the real services (for `seed_demo`)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from merchants.models import Category, Merchant
from onboarding import selectors, services
from onboarding.choices import ApplicationStatus, DocumentType, ItemDecision, RejectionReason

User = get_user_model()
S = ApplicationStatus
PASSWORD_SUFFIX = "-demo-2026"
# A minimal one-page PDF, enough for the file checks and for a browser to open.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# username, legal name, USCC, store, categories, the state to reach
APPLICANTS = [
    ("xinyue", "杭州新悦茶业有限公司", "91330106MA2H1C0X8", "Xinyue Tea House", ["food_beverage"], S.DRAFT),
    ("haoyun", "广州好运玩具有限公司", "91440101MA5CL2Y12", "Haoyun Toys", ["toys_games"], S.SUBMITTED),
    (
        "lanshan",
        "成都蓝山户外用品有限公司",
        "91510104MA6CK9B43",
        "Lanshan Outdoor",
        ["sports_outdoor"],
        S.AUTO_CHECKING,
    ),
    ("meijia", "苏州美家家居有限公司", "91320505MA1MX4T76", "Meijia Home", ["home_living", "furniture"], S.IN_REVIEW),
    ("kangning", "北京康宁医疗器械有限公司", "91110105MA01R8P25", "Kangning Medical", ["medical_devices"], S.APPROVED),
    ("jinbei", "武汉金贝母婴用品有限公司", "91420106MA4K2G3N1", "Jinbei Baby", ["maternal_baby"], S.CHANGES_REQUESTED),
    ("shunda", "南京顺达汽车用品有限公司", "91320104MA1Y7Q9P3", "Shunda Auto Parts", ["auto_parts"], S.REJECTED),
]


def _with_check_character(code17: str) -> str:
    from onboarding.checks import uscc_check_character

    return code17 + uscc_check_character(code17)


def _documents_for(application, owner, uscc: str) -> None:
    today = timezone.localdate()
    numbers = {
        DocumentType.BUSINESS_LICENCE: uscc,
        DocumentType.LEGAL_REP_ID: f"11010519800101{application.pk:04d}",
        DocumentType.BANK_ACCOUNT_LICENCE: f"J{3100000000 + application.pk}",
    }
    for doc_type in sorted(selectors.required_document_types(application=application)):
        services.document_upload(
            application=application,
            user=owner,
            doc_type=doc_type,
            file=ContentFile(DEMO_PDF, name=f"{doc_type}.pdf"),
            number=numbers.get(doc_type, f"DEMO-{doc_type[:4].upper()}-{application.pk}"),
            issued_on=today - timedelta(days=400),
            expires_on=today + timedelta(days=3 * 365),
        )


def seed_applications(*, reviewer) -> list[tuple[str, str, str]]:
    """Create the demo applicants that do not exist yet; returns their logins."""
    logins = []
    for username, legal_name, uscc17, store, codes, target in APPLICANTS:
        password = username + PASSWORD_SUFFIX
        logins.append((f"applicant ({S(target).label})", username, password))
        uscc = _with_check_character(uscc17[:17])
        if Merchant.objects.filter(uscc=uscc).exists():
            continue
        owner, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
        if created:
            owner.set_password(password)
            owner.save()
        application = services.application_start(
            user=owner,
            legal_name=legal_name,
            uscc=uscc,
            store_name=store,
            categories=list(Category.objects.filter(code__in=codes)),
            contact_name=username.title(),
            contact_phone="+86 138 0000 0000",
            business_scope=legal_name,
        )
        _documents_for(application, owner, uscc)
        if target == S.DRAFT:
            continue
        services.agreements_accept(
            application=application, user=owner, agreement_ids=[a.pk for a in selectors.agreements_current()]
        )
        # Waiting for the check worker: staged without scheduling the checks.
        services.application_submit(application=application, user=owner, schedule_checks=False)
        if target == S.SUBMITTED:
            continue
        services.application_checks_begin(application_id=application.pk)
        if target == S.AUTO_CHECKING:
            continue
        services.application_checks_complete(application_id=application.pk)
        if target == S.IN_REVIEW:
            continue
        services.application_claim(application=application, reviewer=reviewer)
        if target == S.APPROVED:
            for item in selectors.checklist_keys(application=application):
                services.review_item_decide(
                    application=application, reviewer=reviewer, item=item, decision=ItemDecision.ACCEPTED
                )
            services.application_approve(application=application, reviewer=reviewer, note="Welcome.")
        elif target == S.CHANGES_REQUESTED:
            services.application_request_changes(
                application=application,
                reviewer=reviewer,
                items=[DocumentType.FOOD_BUSINESS_LICENCE],
                note="The food business licence scan is unreadable; upload a clearer copy.",
            )
        elif target == S.REJECTED:
            services.application_reject(
                application=application,
                reviewer=reviewer,
                reason_code=RejectionReason.CATEGORY_NOT_ALLOWED,
                note="The business scope on the licence does not cover car parts.",
            )
    return logins
