"""The applicant's portal and the staff review pages, through the browser's door (forms and redirects)."""

import pytest
from django.core import mail

from core.access import OPS_MANAGER, REVIEWER, SUPPORT_AGENT
from core.models import Notification
from merchants.models import Category
from onboarding import selectors, services
from onboarding.models import Application, Document
from tests.factories import UserFactory, staff
from tests.onboarding.factories import in_review, new_uscc, pdf, ready
from tests.onboarding.test_api import png_header

pytestmark = pytest.mark.django_db


def test_the_whole_path_through_the_portal(client, django_capture_on_commit_callbacks, eager_tasks):
    # given a signed-in merchant user with no merchant
    applicant = UserFactory()
    client.force_login(applicant)
    assert client.get("/portal/onboarding/").status_code == 200

    # when they fill in the company step
    uscc = new_uscc()
    company = {"legal_name": "佳逸服饰有限公司", "uscc": uscc, "contact_name": "Li", "contact_phone": "13800000000"}
    response = client.post("/portal/onboarding/", company)
    application = Application.objects.get(merchant__uscc=uscc)
    assert response.status_code == 302 and response["Location"] == f"/portal/onboarding/{application.pk}/store/"

    # and leave, then come back: the draft is there
    assert client.get("/portal/onboarding/")["Location"] == f"/portal/onboarding/{application.pk}/company/"

    # and choose the store and categories
    store = {"store_name": "Jiayi Apparel", "business_scope": "Clothing", "categories": ["apparel", "food_beverage"]}
    response = client.post(f"/portal/onboarding/{application.pk}/store/", store)
    assert response["Location"] == f"/portal/onboarding/{application.pk}/documents/"
    page = client.get(f"/portal/onboarding/{application.pk}/documents/").content.decode()
    assert "Food business licence" in page

    # and upload each required document
    for doc_type in sorted(selectors.required_document_types(application=application)):
        response = client.post(
            f"/portal/onboarding/{application.pk}/documents/",
            {
                "doc_type": doc_type,
                "number": uscc if doc_type == "business_licence" else f"N-{doc_type}",
                "issued_on": "2024-01-01",
                "expires_on": "2031-01-01",
                "file": pdf(),
            },
        )
        assert response.status_code == 302, response.content.decode()[:500]
    assert application.documents.count() == 4

    # and accept the agreements and submit
    agreements = [str(a.pk) for a in selectors.agreements_current()]
    client.post(f"/portal/onboarding/{application.pk}/agreements/", {"agreements": agreements})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/portal/onboarding/{application.pk}/submit/")
    assert response["Location"] == f"/portal/onboarding/{application.pk}/"

    # then the progress page shows the timeline, the checks and the expected decision date
    page = client.get(f"/portal/onboarding/{application.pk}/").content.decode()
    assert "In review" in page and "Expected decision by" in page
    assert "Unified social credit code" in page and "is well formed" in page

    # when a reviewer approves it on the staff pages
    reviewer = staff(REVIEWER)
    client.force_login(reviewer)
    queue = client.get("/staff/onboarding/queue/").content.decode()
    assert "Jiayi Apparel" in queue
    client.post(f"/staff/onboarding/applications/{application.pk}/claim/")
    client.post(f"/staff/onboarding/applications/{application.pk}/item/", {"item": "company", "decision": "accepted"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/onboarding/applications/{application.pk}/approve/", {"note": "Welcome"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved" and application.merchant.status == "active"

    # then the applicant is told by e-mail and in the portal
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    client.force_login(applicant)
    home = client.get("/portal/").content.decode()
    assert "is approved" in home and "Active" in home
    notification = Notification.objects.get(recipient=applicant)
    client.post(f"/portal/notifications/{notification.pk}/read/", {"next": "/portal/"})
    assert "is approved" not in client.get("/portal/").content.decode()


def test_a_bad_file_in_the_portal_gets_a_form_error_and_nothing_is_stored(client, stored_files):
    application = ready()
    Document.objects.filter(application=application).delete()
    client.force_login(application.created_by)
    for upload, message in (
        (pdf(name="setup.pdf", content=b"MZ\x90\x00" + b"\x00" * 100), "Upload a PDF, JPEG or PNG file."),
        (pdf(name="bomb.png", content=png_header(30_000, 30_000)), "too many pixels"),
    ):
        response = client.post(
            f"/portal/onboarding/{application.pk}/documents/",
            {"doc_type": "business_licence", "number": "1", "file": upload},
        )
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Document.objects.exists()


def test_resubmission_after_changes_are_requested(client, django_capture_on_commit_callbacks):
    application = in_review()
    services.application_request_changes(
        application=application, reviewer=staff(REVIEWER), items=["legal_rep_id"], note="Both sides please"
    )
    client.force_login(application.created_by)
    assert client.get("/portal/onboarding/")["Location"] == f"/portal/onboarding/{application.pk}/documents/"
    page = client.get(f"/portal/onboarding/{application.pk}/documents/").content.decode()
    assert "Both sides please" in page
    client.post(
        f"/portal/onboarding/{application.pk}/documents/",
        {"doc_type": "legal_rep_id", "number": "ID-2", "file": pdf()},
    )
    from unittest import mock

    with mock.patch("onboarding.tasks.application_checks_run.delay"), django_capture_on_commit_callbacks(execute=True):
        client.post(f"/portal/onboarding/{application.pk}/submit/")
    application.refresh_from_db()
    assert application.status == "submitted" and application.submission_count == 2


def test_strangers_and_staff_cannot_use_someone_elses_application(client):
    application = ready()
    client.force_login(UserFactory())
    for path in ("", "company/", "store/", "documents/", "agreements/"):
        assert client.get(f"/portal/onboarding/{application.pk}/{path}").status_code == 404
    document = application.documents.first()
    assert client.get(f"/portal/onboarding/documents/{document.pk}/file/").status_code == 404
    client.force_login(application.created_by)
    file = client.get(f"/portal/onboarding/documents/{document.pk}/file/")
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    client.force_login(staff(REVIEWER))
    assert client.get(f"/portal/onboarding/documents/{document.pk}/file/").status_code == 200


def test_staff_pages_need_the_right_role(client):
    application = in_review()
    assert client.get("/staff/onboarding/queue/").status_code == 302
    client.force_login(application.created_by)
    assert client.get("/staff/onboarding/queue/").status_code == 403
    client.force_login(staff(SUPPORT_AGENT))
    assert client.get(f"/staff/onboarding/applications/{application.pk}/").status_code == 403
    client.force_login(staff(OPS_MANAGER))
    assert client.get(f"/staff/onboarding/applications/{application.pk}/").status_code == 200
    assert client.post(f"/staff/onboarding/applications/{application.pk}/approve/").status_code == 403
    application.refresh_from_db()
    assert application.status == "in_review"


def test_the_review_page_refuses_approval_without_override_and_shows_why(client):
    application = in_review()
    client.force_login(staff(REVIEWER))
    client.post(
        f"/staff/onboarding/applications/{application.pk}/item/",
        {"item": "business_licence", "decision": "rejected", "note": "Forged"},
    )
    response = client.post(f"/staff/onboarding/applications/{application.pk}/approve/", follow=True)
    assert "give an override reason" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "in_review"
    client.post(f"/staff/onboarding/applications/{application.pk}/approve/", {"override_reason": "Checked by phone"})
    application.refresh_from_db()
    assert application.status == "approved" and application.override_reason == "Checked by phone"


def test_the_queue_is_ordered_by_due_time_and_filtered(client):
    first, second = in_review(), in_review(categories=("toys_games",))
    reviewer = staff(REVIEWER)
    services.application_claim(application=second, reviewer=reviewer)
    client.force_login(reviewer)
    page = client.get("/staff/onboarding/queue/").content.decode()
    assert page.index(f"/applications/{first.pk}/") < page.index(f"/applications/{second.pk}/")
    mine = client.get("/staff/onboarding/queue/", {"assignee": "me"}).content.decode()
    assert f"/applications/{second.pk}/" in mine and f"/applications/{first.pk}/" not in mine
    toys = client.get("/staff/onboarding/queue/", {"category": "toys_games"}).content.decode()
    assert f"/applications/{first.pk}/" not in toys and f"/applications/{second.pk}/" in toys


@pytest.mark.parametrize("rows", [10, 100])
def test_the_review_queue_query_count_does_not_grow(rows, client, django_assert_num_queries):
    from tests.factories import MerchantFactory
    from tests.onboarding.factories import ApplicationFactory

    creator = UserFactory()
    reviewer = staff(REVIEWER)
    apparel = Category.objects.get(code="apparel")
    for merchant in MerchantFactory.create_batch(rows):
        application = ApplicationFactory(merchant=merchant, created_by=creator, status="in_review", assignee=reviewer)
        application.categories.set([apparel])
    client.force_login(reviewer)
    # session, user, roles, reviewers and categories for the filters, applications, their categories
    with django_assert_num_queries(7):
        response = client.get("/staff/onboarding/queue/")
    assert response.content.decode().count("/staff/onboarding/applications/") == rows


def test_the_efficiency_page(client):
    reviewer = staff(REVIEWER)
    approved, rejected, sent_back = in_review(), in_review(), in_review()
    services.application_approve(application=approved, reviewer=reviewer)
    services.application_reject(application=rejected, reviewer=reviewer, reason_code="blacklisted", note="Listed")
    services.application_request_changes(application=sent_back, reviewer=reviewer, items=["store"], note="Name")
    in_review()
    client.force_login(staff(OPS_MANAGER))
    response = client.get("/staff/onboarding/efficiency/")
    report = response.context["report"]
    assert report["total"] == 4 and report["decided"] == 3
    assert report["first_pass_approval_rate"] == pytest.approx(1 / 3)
    assert report["sla_hit_rate"] == 1.0
    assert report["top_rejection_reasons"][0]["code"] == "blacklisted"
    assert {s: n for s, _label, n in report["by_state"]}["in_review"] == 1
    assert report["median_hours_to_first_decision"] is not None
    page = response.content.decode()
    assert "On the public-record blacklist" in page and "33%" in page
    # an empty period has no rates
    empty = client.get("/staff/onboarding/efficiency/", {"start": "2001-01-01", "end": "2001-01-31"}).context["report"]
    assert empty["total"] == 0 and empty["sla_hit_rate"] is None
    client.force_login(reviewer)
    assert client.get("/staff/onboarding/efficiency/").status_code == 403


def test_the_notifications_page_lists_and_marks_everything_read(client):
    from core.notifications import notify

    user = UserFactory()
    notify(recipients=[user], kind="test", title="First", body="One")
    notify(recipients=[user], kind="test", title="Second", body="Two", url="/portal/")
    notify(recipients=[UserFactory()], kind="test", title="Not yours")
    client.force_login(user)
    page = client.get("/portal/notifications/").content.decode()
    assert "First" in page and "Second" in page and "Not yours" not in page
    client.post("/portal/notifications/read/", {"next": "https://evil.example/"})
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
