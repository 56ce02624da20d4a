"""The onboarding API as partners and applicants use it (DESIGN §4)."""

import struct
import zlib
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from core.access import PLATFORM_ADMIN, REVIEWER
from core.models import AuditEntry, Notification
from merchants.models import Category, Merchant
from merchants.services import membership_add as services_membership_add
from onboarding import services
from onboarding.models import Application, ApplicationEvent, Document, ReviewCheck
from tests.factories import MerchantFactory, UserFactory, staff
from tests.onboarding.factories import ApplicationFactory, draft, in_review, new_uscc, pdf, png, ready

pytestmark = pytest.mark.django_db
URL = "/api/v1/onboarding/applications/"


def detail(application) -> str:
    return f"{URL}{application.pk}/"


def png_header(width: int, height: int, rows: int | None = None) -> bytes:
    """A 1-bit greyscale PNG of the given size whose pixel data compresses to almost nothing."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    data = b"".join(compressor.compress(row * 256) for _ in range((rows or height) // 256)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


# --- The whole path ------------------------------------------------------------------------------


def test_the_whole_path_through_the_api(api, as_user, django_capture_on_commit_callbacks, eager_tasks):
    # given a new merchant user who registers and takes a token
    api.post("/api/v1/auth/register/", {"username": "newshop", "password": "a-Strong-pass-2026", "email": "n@x.cn"})
    token = api.post("/api/v1/auth/token/", {"username": "newshop", "password": "a-Strong-pass-2026"}).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    # and the categories with the documents they require
    categories = {c["code"]: c for c in api.get("/api/v1/merchants/categories/", {"page_size": 100}).json()["results"]}
    assert categories["food_beverage"]["required_documents"] == [
        "bank_account_licence",
        "business_licence",
        "food_business_licence",
        "legal_rep_id",
    ]

    # when they start an application
    uscc = new_uscc()
    created = api.post(
        URL,
        {
            "legal_name": "杭州新悦茶业有限公司",
            "uscc": uscc,
            "store_name": "Xinyue Tea",
            "categories": ["food_beverage"],
            "contact_name": "Wang Fang",
            "contact_phone": "+86 138 0000 0001",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    for field in (
        "id",
        "merchant",
        "status",
        "store_name",
        "categories",
        "documents",
        "checks",
        "expected_decision_at",
    ):
        assert field in body
    assert (
        body["status"] == "draft" and body["categories"] == ["food_beverage"] and body["expected_decision_at"] is None
    )
    merchant = Merchant.objects.get(pk=body["merchant"])
    assert merchant.status == "pending" and merchant.uscc == uscc
    app_url = f"{URL}{body['id']}/"

    # and edit the draft, upload each required document and accept the agreements
    edited = api.patch(app_url, {"store_name": "Xinyue Tea House", "business_scope": "Tea retail"}, format="json")
    assert edited.status_code == 200 and edited.json()["store_name"] == "Xinyue Tea House"
    for doc_type in categories["food_beverage"]["required_documents"]:
        number = uscc if doc_type == "business_licence" else f"N-{doc_type}"
        upload = api.post(
            f"{app_url}documents/",
            {
                "file": pdf(),
                "doc_type": doc_type,
                "number": number,
                "issued_on": "2024-01-01",
                "expires_on": "2030-01-01",
            },
            format="multipart",
        )
        assert upload.status_code == 201, upload.content
    assert api.get(f"{app_url}documents/").json()["count"] == 4
    refused = api.post(f"{app_url}submit/")
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "agreements"
    agreements = api.get("/api/v1/onboarding/agreements/").json()["results"]
    assert {a["kind"] for a in agreements} == {"service", "onboarding"}
    accepted = api.post(
        f"{app_url}accept-agreements/",
        {"agreements": [a["id"] for a in agreements]},
        format="json",
        REMOTE_ADDR="203.0.113.9",
    )
    assert accepted.status_code == 200
    assert {a.ip_address for a in Application.objects.get(pk=body["id"]).acceptances.all()} == {"203.0.113.9"}

    # and submit: the checks run (here in-process) and put it in review on the fast track
    with django_capture_on_commit_callbacks(execute=True):
        submitted = api.post(f"{app_url}submit/")
    assert submitted.status_code == 200
    shown = api.get(app_url).json()
    assert shown["status"] == "in_review" and shown["fast_track"] is True
    assert shown["expected_decision_at"] is not None
    assert {c["result"] for c in shown["checks"]} == {"pass"} and len(shown["checks"]) >= 10
    assert [t["status"] for t in shown["timeline"]] == ["draft", "submitted", "auto_checking", "in_review"]

    # then a reviewer claims it, accepts each item and approves it
    reviewer = as_user(staff(REVIEWER))
    assert reviewer.post(f"{app_url}claim/").status_code == 200
    for item in ("company", "store", "business_licence"):
        assert reviewer.post(f"{app_url}decide-item/", {"item": item, "decision": "accepted"}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        approved = reviewer.post(f"{app_url}approve/", {"note": "Welcome"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    merchant.refresh_from_db()
    assert merchant.status == "active" and merchant.kyc_status == "approved"
    assert Notification.objects.get(merchant_id=merchant.pk).recipient.username == "newshop"
    # and the applicant sees the decision
    assert api.get(app_url).json()["timeline"][-1]["status"] == "approved"


def test_a_merchant_user_cannot_decide_and_staff_cannot_apply(as_user):
    application = in_review()
    owner = as_user(application.created_by)
    assert owner.post(f"{detail(application)}approve/").status_code == 403
    body = {
        "legal_name": "X",
        "uscc": new_uscc(),
        "store_name": "X",
        "categories": ["apparel"],
        "contact_name": "X",
        "contact_phone": "13800000000",
    }
    assert as_user(staff(PLATFORM_ADMIN)).post(URL, body, format="json").status_code == 403


def test_bad_input_creates_nothing(as_user):
    client = as_user(UserFactory())
    base = {"legal_name": "X", "store_name": "X", "contact_name": "X", "contact_phone": "13800000000"}
    for bad in (
        {**base, "uscc": "123", "categories": ["apparel"]},
        {**base, "uscc": new_uscc(), "categories": ["no-such-category"]},
        {**base, "uscc": new_uscc(), "categories": []},
    ):
        response = client.post(URL, bad, format="json")
        assert response.status_code == 400 and response.json()["type"] == "validation_error"
    assert not Merchant.objects.exists() and not Application.objects.exists()


def test_a_reviewer_can_request_changes_naming_items_and_the_applicant_resubmits(as_user):
    application = in_review()
    reviewer = as_user(staff(REVIEWER))
    response = reviewer.post(
        f"{detail(application)}request-changes/", {"items": ["legal_rep_id"], "note": "Both sides"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "changes_requested"
    owner = as_user(application.created_by)
    upload = owner.post(
        f"{detail(application)}documents/",
        {"file": png(), "doc_type": "legal_rep_id", "number": "X"},
        format="multipart",
    )
    assert upload.status_code == 201 and upload.json()["content_type"] == "image/png"
    with mock.patch("onboarding.tasks.application_checks_run.delay"):
        assert owner.post(f"{detail(application)}submit/").json()["status"] == "submitted"


def test_reject_with_a_reason_code(as_user):
    application = in_review()
    response = as_user(staff(REVIEWER)).post(
        f"{detail(application)}reject/", {"reason_code": "invalid_licence", "note": "Forged"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["rejection_reason"] == "invalid_licence" and response.json()["decision_note"] == "Forged"


# --- Illegal transitions -------------------------------------------------------------------------

ACTIONS = {
    "submit": {},
    "approve": {},
    "reject": {"reason_code": "other", "note": "No"},
    "request-changes": {"items": ["company"], "note": "Fix"},
}
ALLOWED = {
    "draft": {"submit"},
    "submitted": set(),
    "in_review": {"approve", "reject", "request-changes"},
    "changes_requested": {"submit"},
    "approved": set(),
    "rejected": set(),
}


def application_in(state: str) -> Application:
    if state == "draft":
        return ready()
    application = in_review()
    reviewer = staff(REVIEWER)
    if state == "submitted":
        services.application_request_changes(application=application, reviewer=reviewer, items=["store"], note="x")
        services.application_submit(application=application, user=application.created_by, schedule_checks=False)
    elif state == "changes_requested":
        services.application_request_changes(application=application, reviewer=reviewer, items=["store"], note="x")
    elif state == "approved":
        services.application_approve(application=application, reviewer=reviewer)
    elif state == "rejected":
        services.application_reject(application=application, reviewer=reviewer, reason_code="other", note="x")
    application.refresh_from_db()
    assert application.status == state
    return application


@pytest.mark.parametrize(
    ("state", "action"),
    [(state, action) for state, allowed in ALLOWED.items() for action in ACTIONS if action not in allowed],
)
def test_every_illegal_transition_is_409_and_changes_nothing(state, action, as_user):
    application = application_in(state)
    client = as_user(application.created_by if action == "submit" else staff(REVIEWER))
    audit_before = AuditEntry.objects.count()
    events_before = ApplicationEvent.objects.count()
    response = client.post(f"{detail(application)}{action}/", ACTIONS[action], format="json")
    assert response.status_code == 409, response.content
    assert response.json()["type"] == "conflict"
    application.refresh_from_db()
    assert application.status == state
    assert AuditEntry.objects.count() == audit_before and ApplicationEvent.objects.count() == events_before


@pytest.mark.parametrize("state", ["submitted", "in_review", "approved", "rejected"])
def test_editing_or_uploading_outside_a_draft_is_409(state, as_user):
    application = application_in(state)
    client = as_user(application.created_by)
    patch = client.patch(detail(application), {"store_name": "Changed"}, format="json")
    upload = client.post(
        f"{detail(application)}documents/", {"file": pdf(), "doc_type": "trademark_certificate"}, format="multipart"
    )
    assert patch.status_code == upload.status_code == 409
    application.refresh_from_db()
    assert application.store_name == "Example Store"
    assert not application.documents.filter(doc_type="trademark_certificate").exists()


# --- Uploads -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("licence.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200), "unsupported_type"),
        (SimpleUploadedFile("licence.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 200), "unsupported_type"),
        (SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)), "too_large"),
        (SimpleUploadedFile("bomb.png", png_header(30_000, 30_000)), "too_many_pixels"),
        (SimpleUploadedFile("huge.png", png_header(8_000, 8_000, rows=256)), "too_many_pixels"),
        (SimpleUploadedFile("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10), "damaged_image"),
        (SimpleUploadedFile("empty.pdf", b""), None),
    ],
    ids=["renamed-exe", "renamed-elf", "oversized", "decompression-bomb", "too-many-pixels", "damaged", "empty"],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(upload, code, as_user, stored_files):
    application = draft()
    response = as_user(application.created_by).post(
        f"{detail(application)}documents/",
        {"file": upload, "doc_type": "business_licence", "number": "1"},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["attr"] == "file"
    if code:
        assert error["code"] == code
    assert not Document.objects.exists()
    assert stored_files() == []


def test_a_file_is_recognised_by_content_not_by_name(as_user, stored_files):
    application = draft()
    response = as_user(application.created_by).post(
        f"{detail(application)}documents/",
        {"file": png(name="scan.pdf"), "doc_type": "legal_rep_id"},
        format="multipart",
    )
    assert response.status_code == 201
    document = Document.objects.get()
    assert document.content_type == "image/png" and document.file.name.endswith(".png")
    assert "scan" not in document.file.name
    assert len(stored_files()) == 1


def test_a_new_upload_of_the_same_type_replaces_the_old_one(as_user, stored_files, django_capture_on_commit_callbacks):
    application = draft()
    client = as_user(application.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{detail(application)}documents/",
            {"file": pdf(), "doc_type": "legal_rep_id", "number": "A"},
            format="multipart",
        )
        client.post(
            f"{detail(application)}documents/",
            {"file": png(), "doc_type": "legal_rep_id", "number": "B"},
            format="multipart",
        )
    assert list(Document.objects.values_list("number", flat=True)) == ["B"]
    assert len(stored_files()) == 1


def test_the_upload_limit_is_a_setting(settings, as_user):
    settings.ONBOARDING_UPLOAD_MAX_BYTES = 100
    application = draft()
    response = as_user(application.created_by).post(
        f"{detail(application)}documents/",
        {"file": pdf(content=b"%PDF-" + b"1" * 200), "doc_type": "legal_rep_id"},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "too_large"


# --- Scoping and query counts --------------------------------------------------------------------


def test_applicants_see_only_their_own(as_user, as_key):
    mine, theirs = draft(), draft()
    listed = as_user(mine.created_by).get(URL).json()
    assert [a["id"] for a in listed["results"]] == [mine.pk]
    assert as_user(mine.created_by).get(detail(theirs)).status_code == 404
    key = as_key("read", merchant=mine.merchant)
    assert [a["id"] for a in key.get(URL).json()["results"]] == [mine.pk]
    assert key.post(f"{detail(mine)}submit/").status_code == 403


def test_staff_filter_the_list(as_user):
    waiting = in_review()
    draft()
    client = as_user(staff(REVIEWER))
    assert [a["id"] for a in client.get(URL, {"status": "in_review"}).json()["results"]] == [waiting.pk]
    assert [a["id"] for a in client.get(URL, {"fast_track": "true"}).json()["results"]] == [waiting.pk]
    assert client.get(URL, {"category": "apparel"}).json()["count"] == 2


def many_applications(count: int, owner=None) -> None:
    apparel = Category.objects.get(code="apparel")
    creator = owner or UserFactory()
    for merchant in MerchantFactory.create_batch(count):
        application = ApplicationFactory(merchant=merchant, created_by=creator)
        application.categories.set([apparel])
        ApplicationEvent.objects.create(application=application, to_status="draft")
        ReviewCheck.objects.create(application=application, code="uscc", result="pass", message="ok")
        Document.objects.create(
            application=application,
            doc_type="business_licence",
            file="onboarding/x.pdf",
            storage_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=application.created_by,
        )
        if owner is not None:
            services_membership_add(merchant=merchant, user=owner, role="owner", actor=None)


@pytest.mark.parametrize("rows", [10, 100])
def test_the_list_query_count_does_not_grow_for_staff(rows, as_user, django_assert_num_queries):
    many_applications(rows)
    client = as_user(staff(REVIEWER))
    # token, roles, count, page, categories, documents, checks, events
    with django_assert_num_queries(8):
        response = client.get(URL, {"page_size": rows})
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [10, 100])
def test_the_list_query_count_does_not_grow_for_applicants(rows, as_user, django_assert_num_queries):
    owner = UserFactory()
    many_applications(rows, owner=owner)
    client = as_user(owner)
    Token.objects.get(user=owner)
    # token, count, page, categories, documents, checks, events
    with django_assert_num_queries(7):
        response = client.get(URL, {"page_size": rows})
    assert len(response.json()["results"]) == rows


def test_only_current_agreement_versions_can_be_accepted(as_user):
    application = draft()
    old = services.agreement_publish(kind="service", title="Service v2", body="...", actor=None)
    services.agreement_publish(kind="service", title="Service v3", body="...", actor=None)
    client = as_user(application.created_by)
    response = client.post(f"{detail(application)}accept-agreements/", {"agreements": [old.pk]}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "agreements"
    assert not application.acceptances.exists()
    current = client.get("/api/v1/onboarding/agreements/").json()["results"]
    assert {(a["kind"], a["version"]) for a in current} == {("service", 3), ("onboarding", 1)}


def test_creating_an_application_honours_the_idempotency_key(as_user):
    client = as_user(UserFactory())
    body = {
        "legal_name": "X Co.",
        "uscc": new_uscc(),
        "store_name": "X",
        "categories": ["apparel"],
        "contact_name": "X",
        "contact_phone": "13800000000",
    }
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="start-1")
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="start-1")
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert Application.objects.count() == Merchant.objects.count() == 1
