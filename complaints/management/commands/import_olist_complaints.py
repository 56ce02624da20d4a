from django.core.management.base import BaseCommand

from complaints import services
from complaints.choices import Channel
from complaints.models import Complaint
from orders.models import OrderReview

PREFIX = "olist-review:"


class Command(BaseCommand):
    help = (
        "After import_olist: every Olist review of 1 or 2 stars with a comment becomes a complaint with its text, "
        "received at the review's time. Safe to run again (matched on the review)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None)

    def handle(self, *args, limit=None, **options):
        known = set(Complaint.objects.filter(source_ref__startswith=PREFIX).values_list("source_ref", flat=True))
        reviews = (
            OrderReview.objects.filter(score__lte=2)
            .exclude(comment="", title="")
            .exclude(external_id="")
            .select_related("order__merchant")
            .order_by("created_at", "id")
        )
        added = skipped = 0
        for review in reviews.iterator(chunk_size=500):
            source = f"{PREFIX}{review.external_id}:{review.order_id}"
            if source in known:
                skipped += 1
                continue
            text = "\n".join(filter(None, (review.title.strip(), review.comment.strip())))
            if not text:
                continue
            services.complaint_intake(
                merchant=review.order.merchant,
                order=review.order,
                description=text,
                channel=Channel.REVIEW,
                source_ref=source,
                received_at=review.created_at,
                actor=None,
            )
            added += 1
            if limit and added >= limit:
                break
        self.stdout.write(f"{added} complaints from 1–2 star reviews, {skipped} already loaded.")
