"""Where the server may send a push message: known push services, at public addresses only.

A subscription's endpoint is a URL that the browser got from its push service; the server posts
to it. Taken on trust, it would let anyone signed in make the server connect wherever they chose
(server-side request forgery): to its own loopback interface, the private network, a cloud's
metadata address. So an endpoint must be https on a host that PUSH_SERVICE_HOSTS names, checked
when it is subscribed and again before each send, and every connection goes to an address that
was resolved and found public at that moment: a name that resolved to a public address at
subscribe time may resolve elsewhere later, and the address checked is the address connected to.

One exception, for development and the test suite: with PUSH_ALLOW_HTTP_LOCALHOST (or TESTING)
a push service on this machine is allowed, http or https at 127.0.0.1 or localhost on any port,
and reached at a loopback address only.

`resolver` is what turns a host name into addresses; tests replace it, so that no test needs a
name server or reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

# The public push services of the browsers in use: Chrome, Edge on Android and other Chromium
# browsers (Firebase Cloud Messaging), Firefox (Mozilla's autopush), Safari (Apple) and Edge on
# Windows (Windows Push Notification Services).
DEFAULT_PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "*.push.services.mozilla.com",
    "*.push.apple.com",
    "*.notify.windows.com",
)
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
HTTPS_PORT = 443
# A host name in the form push services use: lower-case labels of letters, digits and hyphens.
HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
# IPv6 prefixes that carry an IPv4 address the packets end up at.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

# Stable codes of a refused endpoint (the `code` of the problem document at subscribe time).
UNKNOWN_SERVICE = "push_service_unknown"
PRIVATE_ADDRESS = "push_endpoint_private"
UNRESOLVED = "push_endpoint_unresolved"

FIX = "Subscribe again in a supported browser; the endpoint must be its push service's URL."


class EndpointRefusedError(Exception):
    """An endpoint the server will not connect to, with a stable code and a sentence to show.

    Not an OSError: raised inside a connection attempt, it passes through urllib3 and requests
    unchanged, so that a refusal is never mistaken for a network error and retried."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system's resolver gives for `host` (IPv4 and IPv6), in its order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


resolver: Resolver = system_resolver


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to, for the forms that carry one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(text: str) -> bool:
    """Whether an address is one on the internet: not private, loopback, link-local, multicast,
    reserved, unspecified, shared (100.64/10) or for documentation, in IPv4 or IPv6, nor an
    IPv6 address that carries such an IPv4 address."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            # The IPv4 host itself (Python versions disagree on these addresses' flags).
            return is_public(str(address.ipv4_mapped))
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public(str(inner)):
            return False
        if address.is_site_local:
            return False
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def is_loopback(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_pattern(pattern: str) -> str:
    """A PUSH_SERVICE_HOSTS entry, lower-cased: a host name, or `*.` and a domain of at least
    two labels (which then matches its subdomains, not the domain itself)."""
    value = pattern.strip().lower()
    name = value[2:] if value.startswith("*.") else value
    if not HOST_NAME.fullmatch(name) or _is_address(name):
        raise RuntimeError(
            f"PUSH_SERVICE_HOSTS: {pattern!r} is not a host name or '*.' and a domain "
            "(e.g. fcm.googleapis.com, *.push.services.mozilla.com)"
        )
    return value


def host_matches(host: str, patterns: Iterable[str]) -> bool:
    if not HOST_NAME.fullmatch(host):
        return False
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]):
                return True
        elif host == pattern:
            return True
    return False


@dataclass(frozen=True)
class EndpointPolicy:
    """Which push services the server sends to (PUSH_SERVICE_HOSTS), and whether a local one
    is allowed (PUSH_ALLOW_HTTP_LOCALHOST, or TESTING)."""

    hosts: tuple[str, ...]
    allow_local: bool

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> EndpointPolicy:
        hosts = config.get("PUSH_SERVICE_HOSTS")
        if hosts is None:
            hosts = DEFAULT_PUSH_SERVICE_HOSTS
        return cls(
            hosts=tuple(check_pattern(pattern) for pattern in hosts),
            allow_local=bool(config.get("TESTING") or config.get("PUSH_ALLOW_HTTP_LOCALHOST")),
        )

    def is_local(self, host: str) -> bool:
        return self.allow_local and host in LOCAL_HOSTS

    def check_host(self, scheme: str, host: str, port: int | None) -> None:
        """Refuse a scheme, host and port that are not a known push service's (no look-up)."""
        if self.is_local(host) and scheme in ("http", "https"):
            return
        if _is_address(host):
            raise EndpointRefusedError(
                UNKNOWN_SERVICE,
                f"The endpoint names an address, not a push service's host. {FIX}",
            )
        if scheme != "https" or not host_matches(host, self.hosts):
            raise EndpointRefusedError(
                UNKNOWN_SERVICE, f"The endpoint is not the URL of a known push service. {FIX}"
            )
        if port not in (None, HTTPS_PORT):
            raise EndpointRefusedError(
                UNKNOWN_SERVICE, f"A push service is reached on port {HTTPS_PORT} only. {FIX}"
            )

    def check_url(self, url: str) -> tuple[str, str, int]:
        """The endpoint's host and port, once its scheme, host and port pass (no look-up)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise EndpointRefusedError(
                UNKNOWN_SERVICE, f"The endpoint is not a URL. {FIX}"
            ) from None
        host = (parts.hostname or "").lower()
        self.check_host(parts.scheme, host, port)
        return parts.scheme, host, port or (HTTPS_PORT if parts.scheme == "https" else 80)

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for `host`: resolved now, every one of them public (or,
        for the allowed local push service, loopback). A name that resolves to any other
        address is refused whole: a mix is how a name is made to point inside."""
        host = host.lower()
        local = self.is_local(host)
        found = [host] if _is_address(host) else resolver(host, port)
        if not found:
            raise EndpointRefusedError(
                UNRESOLVED, "The push service's host name does not resolve to an address."
            )
        allowed = is_loopback if local else is_public
        if not all(allowed(address) for address in found):
            raise EndpointRefusedError(
                PRIVATE_ADDRESS,
                "The push service's host name resolves to an address that is not public "
                f"(private, loopback, link-local or reserved). {FIX}",
            )
        return found

    def check_endpoint(self, url: str) -> None:
        """Refuse an endpoint that is not a known push service's, or does not resolve to public
        addresses now."""
        _, host, port = self.check_url(url)
        self.addresses(host, port)


def current_policy() -> EndpointPolicy:
    from flask import current_app

    return EndpointPolicy.from_config(current_app.config)


# --- Connections only to checked addresses -------------------------------------------------


class _CheckedConnection:
    """urllib3's connection, opening its socket only to addresses the policy allows, looked up
    at the moment of connecting. TLS still verifies the certificate against the host name."""

    policy: EndpointPolicy
    scheme_name: str
    # Provided by urllib3's HTTPConnection, which this class is mixed into.
    _dns_host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        self.policy.check_host(self.scheme_name, self._dns_host.lower(), self.port)
        addresses = self.policy.addresses(self._dns_host, self.port)
        failure: OSError | None = None
        for address in addresses:
            try:
                return urllib3_connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as error:
                failure = error
        # The same errors urllib3 raises, so that requests reports a ConnectionError (whose
        # text never reaches a response: api/push/service.py says "unreachable").
        connection: Any = self
        if isinstance(failure, TimeoutError):
            raise ConnectTimeoutError(connection, "Connection to the push service timed out.")
        raise NewConnectionError(connection, "Could not connect to the push service.")


class _NoRedirectSession(requests.Session):
    """A push service answers a message, it never sends it on: a redirect is not followed
    (it could point anywhere), it is an answer like any other."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


class _CheckedAdapter(HTTPAdapter):
    def __init__(self, policy: EndpointPolicy) -> None:
        self._policy = policy
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        policy = self._policy
        http: Any = type(
            "CheckedHTTPConnection",
            (_CheckedConnection, HTTPConnection),
            {"policy": policy, "scheme_name": "http"},
        )
        https: Any = type(
            "CheckedHTTPSConnection",
            (_CheckedConnection, HTTPSConnection),
            {"policy": policy, "scheme_name": "https"},
        )
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("CheckedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("CheckedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
        }


def push_session(policy: EndpointPolicy) -> requests.Session:
    """An HTTP session for push services: connections only to checked addresses, no redirects,
    and no proxy from the environment (a proxy would connect in our stead, unchecked)."""
    session = _NoRedirectSession()
    session.trust_env = False
    adapter = _CheckedAdapter(policy)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
