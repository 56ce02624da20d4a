"""Intake from a Maildir, from Olist's 1–2 star reviews, and robustness on the Chinese review corpus."""

import csv
import mailbox
from email.message import EmailMessage
from itertools import islice

import pytest
from django.core.management import call_command

from complaints.choices import Channel, ComplaintStatus
from complaints.models import Complaint, ComplaintEvidence
from core.models import Scope
from orders.models import OrderReview
from tests.complaints.factories import agent
from tests.data import shared_data
from tests.orders import factories as order_factories

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    return buffer.getvalue()


JPEG = _jpeg()


def mail(subject, body, *, sender="buyer@example.com", message_id=None, attachments=()):
    message = EmailMessage()
    message["From"] = f"Buyer <{sender}>"
    message["To"] = "complaints@merchantops.local"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    for name, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message


def test_maildir_messages_become_email_complaints_with_their_attachments(tmp_path, capsys):
    merchant = order_factories.active_merchant()
    order = order_factories.make_order(merchant, "shipped", external_id="SO-88001")
    box = mailbox.Maildir(tmp_path / "inbox", create=True)
    box.add(
        mail(
            "订单 SO-88001 快递丢了",
            "快递一直没到，客服也不回复 😡",
            message_id="<m1@example.com>",
            attachments=[
                ("photo.jpg", JPEG, "image", "jpeg"),
                ("virus.exe", b"MZ\x90\x00", "application", "octet-stream"),
            ],
        )
    )
    box.add(mail("hello", "no order number here", message_id="<m2@example.com>"))
    call_command("intake_maildir", str(tmp_path / "inbox"))
    captured = capsys.readouterr()
    assert "1 complaints taken in" in captured.out and "attachment refused" in captured.err
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.order, complaint.complainant_email) == (
        Channel.EMAIL,
        order,
        "buyer@example.com",
    )
    assert "😡" in complaint.description and complaint.status == ComplaintStatus.RECEIVED
    from complaints import services

    assert services.complaint_classify(complaint_id=complaint.pk).category == "logistics"
    files = ComplaintEvidence.objects.filter(kind="file")
    assert [(f.file_name, f.content_type) for f in files] == [("photo.jpg", "image/jpeg")]
    # a second run takes in nothing again; the unmatched message waits, and a --merchant takes it
    call_command("intake_maildir", str(tmp_path / "inbox"))
    assert Complaint.objects.count() == 1
    call_command("intake_maildir", str(tmp_path / "inbox"), "--merchant", str(merchant.pk))
    assert Complaint.objects.count() == 2
    assert sum(1 for _ in mailbox.Maildir(tmp_path / "inbox").iterkeys()) == 2
    assert len(list((tmp_path / "inbox" / "new").iterdir())) == 0


def _real_low_reviews(count: int) -> list[dict]:
    path = shared_data("olist", "olist_order_reviews_dataset.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = (r for r in csv.DictReader(handle) if int(r["review_score"]) <= 2 and r["review_comment_message"])
        return list(islice(rows, count))


def test_olist_low_reviews_with_comments_load_as_complaints_once():
    merchant = order_factories.active_merchant()
    rows = _real_low_reviews(30)
    for row in rows:
        order = order_factories.make_order(merchant, "delivered")
        OrderReview.objects.create(
            order=order,
            external_id=row["review_id"],
            score=int(row["review_score"]),
            title=row["review_comment_title"],
            comment=row["review_comment_message"],
        )
    # a good review and a bad one without words are not complaints
    OrderReview.objects.create(order=order, external_id="good", score=5, comment="ótimo")
    OrderReview.objects.create(order=order, external_id="silent", score=1)
    call_command("import_olist_complaints")
    assert Complaint.objects.filter(channel=Channel.REVIEW).count() == 30
    from complaints import services

    for pk in Complaint.objects.values_list("pk", flat=True):
        services.complaint_classify(complaint_id=pk)
    assert Complaint.objects.exclude(category="other").count() >= 15  # real text, real categories
    call_command("import_olist_complaints")
    assert Complaint.objects.count() == 30


def _chinese_negatives(count: int) -> list[str]:
    path = shared_data("chinese_reviews", "online_shopping_10_cats.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = (row["review"] for row in csv.DictReader(handle) if row["label"] == "0" and row["review"])
        return list(islice(rows, count))


def test_intake_survives_the_chinese_review_corpus(as_key):
    merchant = order_factories.active_merchant()
    agent()
    client = as_key(Scope.COMPLAINTS_WRITE)
    texts = _chinese_negatives(40)
    texts[0] = "\ufeff" + texts[0]  # a byte-order mark as Windows tools write it
    texts[1] = texts[1] + " 😡📦🙄"
    long_text = ("".join(texts) * 40)[:19_000]
    for text in [*texts, long_text]:
        response = client.post("/api/v1/complaints/", {"merchant": merchant.pk, "description": text}, format="json")
        assert response.status_code == 201, response.content[:200]
    stored = Complaint.objects.order_by("id")
    assert not stored[0].description.startswith("\ufeff")
    assert stored[1].description.endswith("😡📦🙄")
    assert stored.last().description == long_text.replace("\ufeff", "").strip()
    too_long = client.post(
        "/api/v1/complaints/", {"merchant": merchant.pk, "description": "差" * 20_001}, format="json"
    )
    assert too_long.status_code == 400
    from complaints import services

    for complaint in stored:
        services.complaint_classify(complaint_id=complaint.pk)
    assert set(Complaint.objects.values_list("status", flat=True)) == {ComplaintStatus.CLASSIFIED}


@pytest.mark.services
def test_the_intake_task_runs_on_a_real_worker(celery_worker_live, as_key):
    import time

    merchant = order_factories.active_merchant()
    response = as_key(Scope.COMPLAINTS_WRITE).post(
        "/api/v1/complaints/",
        {"merchant": merchant.pk, "description": "付款时被重复扣款了两次"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="live-1",
    )
    assert response.status_code == 201
    complaint = Complaint.objects.get(pk=response.json()["id"])
    for _ in range(100):
        complaint.refresh_from_db()
        if complaint.status == ComplaintStatus.CLASSIFIED:
            break
        time.sleep(0.1)
    assert (complaint.status, complaint.category) == (ComplaintStatus.CLASSIFIED, "payment")
