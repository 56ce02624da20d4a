"""Outbound HTTP to partner-supplied URLs, refusing private networks (no SSRF into the operator's own hosts).

The host is resolved once, every address is checked, and the connection goes to the checked address
(with the original Host header and TLS server name), so a DNS answer cannot change between check and use.
`WEBHOOK_ALLOW_PRIVATE_TARGETS` lifts the rule for development and tests against local receivers.
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class RefusedTarget(Exception):
    pass


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_global and not ip.is_multicast


def literal_refusal(url: str) -> str | None:
    """What can be said without DNS: a missing host, or a literal private address or `localhost`."""
    host = urlsplit(url).hostname
    if not host:
        return _("The URL has no host.")
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return _("Webhooks cannot be sent to private or local addresses.")
    try:
        public = _is_public(host)
    except ValueError:
        return None  # a name: resolved and checked when the delivery is made
    return None if public else _("Webhooks cannot be sent to private or local addresses.")


def resolve_public(host: str, port: int) -> str:
    """The first address of `host`, once every address it resolves to is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise RefusedTarget(f"cannot resolve {host}: {error}") from None
    addresses = [info[4][0] for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS and not all(_is_public(a) for a in addresses):
        raise RefusedTarget(f"{host} resolves to a private or local address")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST and return the status code; raises RefusedTarget or OSError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedTarget("only http and https URLs with a host")
    refusal = literal_refusal(url)
    if refusal:
        raise RefusedTarget(refusal)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_public(parts.hostname, port)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=address, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()
