import hashlib
import mailbox
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from complaints import services
from complaints.choices import Channel
from complaints.mail import parse_message
from core.errors import Conflict
from merchants.models import Merchant
from orders.models import Order


class Command(BaseCommand):
    help = (
        "Take in complaints from a Maildir: each new message becomes an email complaint linked to the order "
        "it names (or to --merchant), with its PDF/JPEG/PNG attachments as evidence; handled messages are "
        "marked seen and moved to cur/, so a mail pipeline can deliver into the folder and run this often."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--merchant", type=int, help="Merchant for messages that name no known order.")

    def handle(self, *args, path, merchant=None, **options):
        if not (path / "new").is_dir():
            raise CommandError(f"{path} is not a Maildir (no new/ folder).")
        fallback = Merchant.objects.filter(pk=merchant).first() if merchant else None
        if merchant and fallback is None:
            raise CommandError(f"No merchant {merchant}.")
        box = mailbox.Maildir(path, create=False)
        taken = duplicate = unmatched = 0
        for key in list(box.iterkeys()):
            message = box.get_message(key)
            if message.get_subdir() != "new":
                continue
            parsed = parse_message(message)
            orders = list(Order.objects.filter(external_id__in=parsed.order_numbers).select_related("merchant")[:2])
            order = orders[0] if len(orders) == 1 else None
            owner = order.merchant if order else fallback
            if owner is None:
                unmatched += 1
                self.stderr.write(f"{key}: names no known order; left in new/ ({parsed.subject!r})")
                continue
            digest = hashlib.sha256(message.as_bytes()).hexdigest()[:32]
            source = f"maildir:{parsed.message_id or digest}"
            try:
                complaint = services.complaint_intake(
                    merchant=owner,
                    order=order,
                    description=parsed.text,
                    channel=Channel.EMAIL,
                    complainant_email=parsed.sender_email,
                    complainant_ref=parsed.sender_email,
                    source_ref=source,
                    files=parsed.attachments[:10],
                    actor=None,
                )
            except Conflict:
                duplicate += 1
            except ValidationError as error:
                self.stderr.write(f"{key}: refused: {' '.join(error.messages)}")
                continue
            else:
                taken += 1
                for note in parsed.refused:
                    self.stderr.write(f"{key} → complaint #{complaint.pk}: attachment refused: {note}")
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message
        self.stdout.write(f"{taken} complaints taken in, {duplicate} already known, {unmatched} without a merchant.")
