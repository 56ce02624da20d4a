"""Complaints by email: a message's text, its sender, the order it names and its attachments."""

import email.header
import email.utils
import re
from dataclasses import dataclass, field
from email.message import Message
from html import unescape

from django.core.exceptions import ValidationError

from complaints.uploads import CheckedFile, check_upload

ORDER_NUMBER = re.compile(
    r"(?:order|订单号?|pedido)\s*(?:no\.?|number|编号)?\s*[#:：]?\s*([A-Za-z0-9][A-Za-z0-9_-]{3,63})", re.I
)
TAGS = re.compile(r"<[^>]+>")


@dataclass
class ParsedMail:
    message_id: str
    sender_email: str
    subject: str
    text: str
    order_numbers: list[str]
    attachments: list[CheckedFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _subject(message: Message) -> str:
    parts = email.header.decode_header(message.get("Subject", ""))
    return "".join(
        text.decode(charset or "utf-8", errors="replace") if isinstance(text, bytes) else text
        for text, charset in parts
    ).strip()


def parse_message(message: Message) -> ParsedMail:
    plain, html = [], []
    attachments, refused = [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            try:
                attachments.append(check_upload(filename or "attachment", part.get_payload(decode=True) or b""))
            except ValidationError as error:
                refused.append(f"{filename}: {' '.join(error.messages)}")
        elif part.get_content_type() == "text/plain":
            plain.append(_decoded(part))
        elif part.get_content_type() == "text/html":
            html.append(unescape(TAGS.sub(" ", _decoded(part))))
    subject = _subject(message)
    body = "\n".join(plain) if plain else "\n".join(html)
    text = "\n\n".join(filter(None, (subject, body.strip())))
    _name, address = email.utils.parseaddr(message.get("From", ""))
    return ParsedMail(
        message_id=(message.get("Message-ID") or "").strip()[:250],
        sender_email=address,
        subject=subject,
        text=text,
        order_numbers=list(dict.fromkeys(ORDER_NUMBER.findall(f"{subject}\n{body}"))),
        attachments=attachments,
        refused=refused,
    )
