"""Facts about the request being served, for services that write the audit trail."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def ip_from_meta(meta: dict) -> str | None:
    # REMOTE_ADDR is the peer; behind a proxy, configure it to set REMOTE_ADDR (not trusted headers here).
    return meta.get("REMOTE_ADDR") or None
