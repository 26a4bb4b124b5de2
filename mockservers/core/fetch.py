"""The safe remote fetcher: downloads a URL a user's test handed a vendor (WTTJ ``remote_file_urls``,
Endorsed ``public_file_url``) without letting that URL reach into the machine (SSRF).

One fetch, hop by hop (at most ``max_redirects`` redirects, each hop checked afresh):

1. the URL must be absolute ``http``/``https`` with a host, no ``user:password@`` and a port in 1-65535;
2. its host is resolved once (an IP literal is not resolved) and *every* resolved address must be
   admitted (below): one refused address refuses the URL, so a name answering both a public and an
   internal address cannot choose per connection, and the outcome does not depend on answer order;
3. the connection goes to one of those checked IPs (the next one if connecting fails), never to the
   name, so no second lookup can rebind; the request still carries the URL's ``Host``, and https
   sends the URL's hostname as SNI and verifies the certificate against it;
4. a fresh connection per hop, no proxies from the environment, ``Accept-Encoding: identity``.

Which resolved addresses are admitted (``FetchPolicy``; the host is the URL's, case-insensitive):

=============================  ==========================================================
the address is                 admitted when
=============================  ==========================================================
loopback                       ``allow_loopback`` (the default), or allow-listed
public, reserved               the host or a network containing the address is allow-listed
private (RFC 1918, ULA, CGNAT) allow-listed, or ``allow_private``
link-local, cloud metadata     only with ``allow_link_local``, then as private
unspecified, multicast,        never (0.0.0.0 and :: reach this machine on Linux;
broadcast                      the others are no TCP peers)
=============================  ==========================================================

An allow-listed *name* trusts whatever its resolution answers within those rules (that is why a
user names a docker-compose service such as ``files``). IPv4-mapped IPv6 (``::ffff:10.0.0.1``) is
judged as its IPv4 address; NAT64, 6to4 and Teredo addresses are refused whenever the IPv4 address
they lead to is not public, and otherwise judged as public.

Errors: every refusal is one ``FetchRefused(url, reason)``; ``reason`` is a short sentence for the
vendor's 400 ("the address 10.0.0.5 is private", "the server answered 404"). httpx and OS errors
never escape ``fetch``; the sink's own exceptions do, unchanged.

httpx is imported on first use (it costs ~50 ms and the server does not otherwise import it).
"""

from __future__ import annotations

import email.message
import hashlib
import inspect
import re
import socket
import ssl
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import TYPE_CHECKING, cast

import anyio

if TYPE_CHECKING:
    import httpx

Resolve = Callable[[str, int], Awaitable[Sequence[str]]]
"""``(host, port)`` -> the host's addresses; an ``OSError`` or no address means it does not resolve."""
Sink = Callable[[bytes], Awaitable[None] | None]
"""Takes the body chunk by chunk (sync or async); on a refusal, discard what it was given."""

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

_LOOPBACK = "loopback"
_METADATA = "a cloud metadata address"
_LINK_LOCAL = "link-local"
_PRIVATE = "private"
_CGNAT = "private (CGNAT)"
_UNSPECIFIED = "unspecified"
_MULTICAST = "multicast"
_BROADCAST = "broadcast"
_RESERVED = "reserved"
_PUBLIC = "public"
_NEVER = frozenset({_UNSPECIFIED, _MULTICAST, _BROADCAST})
_LINK = frozenset({_METADATA, _LINK_LOCAL})
_PRIVATE_KINDS = frozenset({_PRIVATE, _CGNAT})


def _table(*rows: tuple[str, str]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ip_network(network), kind) for network, kind in rows)


# First match wins; explicit, because ipaddress's is_global/is_private differ between Python versions.
_KINDS = _table(
    ("169.254.169.254/32", _METADATA),  # AWS, GCP, Azure, OpenStack, Oracle...
    ("169.254.170.2/32", _METADATA),  # AWS ECS task credentials
    ("100.100.100.200/32", _METADATA),  # Alibaba Cloud
    ("fd00:ec2::254/128", _METADATA),  # AWS IMDS over IPv6
    ("0.0.0.0/32", _UNSPECIFIED),
    ("::/128", _UNSPECIFIED),
    ("127.0.0.0/8", _LOOPBACK),
    ("::1/128", _LOOPBACK),
    ("169.254.0.0/16", _LINK_LOCAL),
    ("fe80::/10", _LINK_LOCAL),
    ("10.0.0.0/8", _PRIVATE),
    ("172.16.0.0/12", _PRIVATE),
    ("192.168.0.0/16", _PRIVATE),
    ("fc00::/7", _PRIVATE),
    ("100.64.0.0/10", _CGNAT),
    ("224.0.0.0/4", _MULTICAST),
    ("ff00::/8", _MULTICAST),
    ("255.255.255.255/32", _BROADCAST),
    ("0.0.0.0/8", _RESERVED),
    ("192.0.0.0/24", _RESERVED),
    ("192.0.2.0/24", _RESERVED),
    ("192.88.99.0/24", _RESERVED),
    ("198.18.0.0/15", _RESERVED),
    ("198.51.100.0/24", _RESERVED),
    ("203.0.113.0/24", _RESERVED),
    ("240.0.0.0/4", _RESERVED),
    ("2001::/23", _RESERVED),  # IETF protocol assignments (Teredo, inside it, is unwrapped first)
    ("2001:db8::/32", _RESERVED),
    ("3fff::/20", _RESERVED),
)
_GLOBAL_UNICAST_V6 = ip_network("2000::/3")
_NAT64 = ip_network("64:ff9b::/96")
_HOSTNAME = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*")


def _address_kind(address: IPAddress) -> str:
    """What an address is, as the refusal names it: "private", "loopback", "public"..."""
    for network, kind in _KINDS:
        if address in network:
            return kind
    if isinstance(address, IPv6Address) and address not in _GLOBAL_UNICAST_V6:
        return _RESERVED
    return _PUBLIC if address.is_global else _RESERVED


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address a NAT64, 6to4 or Teredo address leads to."""
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return address.teredo[1] if address.teredo is not None else None


@dataclass(frozen=True)
class FetchPolicy:
    """What the fetcher may reach, and how long it waits: the ``[fetch]`` section of the config.

    ``allow_hosts`` entries are hostnames (``files``; an IDN in its ``xn--`` form), suffix wildcards
    (``*.corp.test`` matches ``a.corp.test`` and ``a.b.corp.test``, not ``corp.test``), IP addresses or
    CIDR networks (``10.1.0.0/16``), all case-insensitive. Raises ``ValueError`` naming a malformed
    entry or value.
    """

    allow_hosts: tuple[str, ...] = ()
    allow_loopback: bool = True
    """Loopback addresses for any host: the user's test serving files on 127.0.0.1."""
    allow_private: bool = False
    """Private ranges (RFC 1918, fc00::/7, 100.64/10) for any host, not only allow-listed ones."""
    allow_link_local: bool = False
    """Link-local and cloud metadata addresses, then admitted like private ones."""
    max_redirects: int = 3
    connect_timeout: float = 5.0
    """Seconds for one TCP connect plus TLS handshake."""
    total_timeout: float = 30.0
    """Seconds for the whole fetch: resolution, every hop, and the body into the sink."""
    request_timeout: float = 60.0
    """Seconds for every fetch one request makes, together: a WTTJ attach of 50 ``remote_file_urls``
    would otherwise wait up to 50 x ``total_timeout`` (25 minutes) before it answers."""
    ca_file: str = ""
    """PEM certificates trusted for https besides certifi's bundle (e.g. a local mkcert CA)."""

    def __post_init__(self) -> None:
        _AllowList.parse(self.allow_hosts)
        if self.max_redirects < 0:
            raise ValueError(f"max_redirects must not be negative, not {self.max_redirects}")
        for name in ("connect_timeout", "total_timeout", "request_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")


@dataclass(frozen=True, slots=True)
class _AllowList:
    names: frozenset[str]
    suffixes: tuple[str, ...]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def parse(cls, entries: Sequence[str]) -> _AllowList:
        names: set[str] = set()
        suffixes: list[str] = []
        networks: list[IPNetwork] = []
        for i, entry in enumerate(entries):
            text = entry.strip().lower().rstrip(".")
            address, slash, prefix = text.partition("/")
            address = address.strip("[]")
            try:
                ip_address(address)
            except ValueError:
                pass
            else:
                try:
                    networks.append(ip_network(address + slash + prefix))
                except ValueError as e:
                    raise ValueError(f"allow_hosts[{i}] {entry!r} is not a CIDR network ({e})") from None
                continue
            name = text.removeprefix("*.")
            if not _HOSTNAME.fullmatch(name):
                raise ValueError(f"allow_hosts[{i}] {entry!r} is not a hostname, *.suffix, IP address or network")
            if name == text:
                names.add(name)
            else:
                suffixes.append("." + name)
        return cls(frozenset(names), tuple(suffixes), tuple(networks))

    def admits_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.names or host.endswith(self.suffixes)

    def admits_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


class FetchRefused(Exception):
    """The fetch of ``url`` (the caller's URL, not a redirect's) was refused or failed, and why."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class FetchTimedOut(FetchRefused):
    """The fetch ran out of its time (``total_timeout``, or the ``timeout`` its caller gave)."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a vendor records of a download; the bytes themselves went to the sink."""

    url: str
    final_url: str
    """After redirects."""
    status: int
    content_type: str | None
    """The response's Content-Type header as sent, None if absent."""
    size: int
    filename: str | None
    """From Content-Disposition (``filename*`` decoded), reduced to its last path segment."""
    sha256: str


@dataclass(frozen=True, slots=True)
class Destination:
    """A URL that passed the checks, and the addresses a connection to it may use, in resolver order."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...]


async def resolve_host(host: str, port: int) -> list[str]:
    """The system resolver (``getaddrinfo`` in a worker thread), distinct addresses in its order."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


LOOPBACK_NAMES: dict[str, tuple[str, ...]] = {"localhost": ("127.0.0.1", "::1")}


async def resolve_offline(host: str, port: int) -> list[str]:
    """A resolver that asks no one: ``localhost`` is loopback and every other name does not resolve.

    For a run that must not leave the machine, even by a DNS query: ``atsmock contract`` in process,
    whose generated URLs name random hosts (``a.com``) that the system resolver would look up."""
    found = LOOPBACK_NAMES.get(host.lower().rstrip("."))
    if found is None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (offline resolver)")
    return list(found)


class Fetcher:
    """Fetches URLs under one ``FetchPolicy``; stateless per fetch, so one per app is shared."""

    def __init__(self, policy: FetchPolicy, resolve: Resolve | None = None) -> None:
        self.policy = policy
        self._allowed = _AllowList.parse(policy.allow_hosts)
        self.resolve: Resolve = resolve_host if resolve is None else resolve
        """How a URL's host name becomes addresses; every holder of this fetcher sees a change of it
        (WTTJ and Endorsed share the platform's), as ``atsmock contract``'s offline run needs."""
        self._tls: ssl.SSLContext | None = None
        self.monotonic: Callable[[], float] = time.monotonic
        """The clock a caller measures its fetches' time with (a test's fetcher double keeps its own)."""

    def address_refusal(self, host: str, address: str) -> str | None:
        """Why ``address`` (resolved for the URL host ``host``) is refused, or None if admitted. No I/O."""
        try:
            ip = ip_address(address.partition("%")[0])
        except ValueError:
            return f"the resolver answered {address!r}, which is not an IP address"
        kind = _address_kind(ip)
        if isinstance(ip, IPv6Address):
            if ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
                kind = _address_kind(ip)
                if not self._admits(host, ip, kind):
                    return f"the address {address} maps to {ip}, which is {kind}"
                return None
            embedded = _embedded_ipv4(ip)
            if embedded is not None:
                embedded_kind = _address_kind(embedded)
                if embedded_kind != _PUBLIC:
                    return f"the address {address} maps to {embedded}, which is {embedded_kind}"
                kind = _PUBLIC
        if self._admits(host, ip, kind):
            return None
        if kind == _PUBLIC:
            listed = "" if host == address else f" {host}"
            return f"the address {address} is public and{listed} not in the allow list"
        return f"the address {address} is {kind}"

    def _admits(self, host: str, ip: IPAddress, kind: str) -> bool:
        policy = self.policy
        if kind in _NEVER or (kind in _LINK and not policy.allow_link_local):
            return False
        if self._allowed.admits_host(host) or self._allowed.admits_address(ip):
            return True
        if kind == _LOOPBACK:
            return policy.allow_loopback
        return policy.allow_private and (kind in _PRIVATE_KINDS or kind in _LINK)

    async def check_url(self, url: str) -> Destination:
        """Scheme, credentials, resolution and every resolved address; raises ``FetchRefused``."""
        return await self._destination(url, _parse(url))

    async def _destination(self, url: str, parsed: httpx.URL) -> Destination:
        host = parsed.raw_host.decode("ascii")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if not _is_name(host):
            addresses = [host]
        else:
            try:
                addresses = list(dict.fromkeys(await self.resolve(host, port)))
            except OSError:
                addresses = []
            if not addresses:
                raise FetchRefused(url, "the host does not resolve")
        for address in addresses:
            reason = self.address_refusal(host, address)
            if reason is not None:
                raise FetchRefused(url, reason)
        return Destination(str(parsed), host, port, tuple(a.partition("%")[0] for a in addresses))

    async def fetch(self, url: str, sink: Sink, *, max_bytes: int, timeout: float | None = None) -> Fetched:
        """Download ``url`` into ``sink``, at most ``max_bytes`` of body, within ``total_timeout`` (or ``timeout``
        when shorter: what is left of the caller's request); raises ``FetchRefused`` (``FetchTimedOut``)."""
        if max_bytes < 0:
            raise ValueError(f"max_bytes must not be negative, not {max_bytes}")
        limit = self.policy.total_timeout if timeout is None else min(self.policy.total_timeout, timeout)
        if limit <= 0:
            raise FetchTimedOut(url, "no time was left to fetch it")
        try:
            with anyio.fail_after(limit):
                return await self._follow(url, sink, max_bytes)
        except TimeoutError:
            raise FetchTimedOut(url, f"timed out after {limit:g} s") from None

    async def _follow(self, url: str, sink: Sink, max_bytes: int) -> Fetched:
        current = url
        redirects = 0
        while True:
            try:
                parsed = _parse(current)
                destination = await self._destination(current, parsed)
                outcome = await self._exchange(current, parsed, destination, sink, max_bytes)
            except FetchRefused as refused:
                if redirects == 0:
                    raise
                raise FetchRefused(url, f"redirected to {current}: {refused.reason}") from None
            if isinstance(outcome, Fetched):
                return replace(outcome, url=url)
            if redirects == self.policy.max_redirects:
                raise FetchRefused(url, f"more than {redirects} redirects")
            redirects += 1
            current = outcome

    async def _exchange(
        self, url: str, parsed: httpx.URL, destination: Destination, sink: Sink, max_bytes: int
    ) -> Fetched | str:
        """One hop on a fresh connection: the next URL if it redirects, else the body into the sink."""
        import httpx

        transport = httpx.AsyncHTTPTransport(
            verify=self._tls_context(url), trust_env=False, retries=0, limits=httpx.Limits(max_keepalive_connections=0)
        )
        timeout = httpx.Timeout(None, connect=self.policy.connect_timeout)
        async with httpx.AsyncClient(transport=transport, timeout=timeout, trust_env=False) as client:
            response = await self._send(client, url, parsed, destination)
            try:
                status = response.status_code
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchRefused(url, f"the server answered {status} without a Location")
                    try:
                        return str(parsed.join(location))
                    except httpx.InvalidURL:
                        raise FetchRefused(url, "the server redirected to an invalid URL") from None
                if not 200 <= status < 300:
                    raise FetchRefused(url, f"the server answered {status}")
                return await self._receive(url, response, sink, max_bytes)
            finally:
                await response.aclose()

    async def _send(
        self, client: httpx.AsyncClient, url: str, parsed: httpx.URL, destination: Destination
    ) -> httpx.Response:
        """Sends the GET to each checked address in turn until one connects."""
        import httpx

        headers = {"Host": parsed.netloc.decode("ascii"), "Accept-Encoding": "identity", "User-Agent": "atsmock"}
        sni = parsed.scheme == "https" and _is_name(destination.host)
        extensions = {"sni_hostname": destination.host.rstrip(".")} if sni else {}
        reason = ""
        for address in destination.addresses:
            request = client.build_request(
                "GET", parsed.copy_with(host=address), headers=headers, extensions=extensions
            )
            try:
                return await client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as e:
                reason = self._connect_failure(e, destination.host)
            except (httpx.HTTPError, OSError) as e:
                raise FetchRefused(url, _answer_failure(e)) from e
        raise FetchRefused(url, reason)

    async def _receive(self, url: str, response: httpx.Response, sink: Sink, max_bytes: int) -> Fetched:
        import httpx

        too_large = f"larger than {max_bytes} bytes"
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise FetchRefused(url, too_large)
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise FetchRefused(url, f"the body is {encoding}-encoded (asked for identity)")
        digest = hashlib.sha256()
        size = 0
        # aiter_raw is an async generator; closing it at once keeps an abort from leaving it suspended.
        async with aclosing(cast(AsyncGenerator[bytes, None], response.aiter_raw())) as chunks:
            while True:
                try:
                    chunk = await anext(chunks)
                except StopAsyncIteration:
                    break
                except (httpx.HTTPError, OSError) as e:
                    raise FetchRefused(url, "the connection closed before the body was complete") from e
                size += len(chunk)
                if size > max_bytes:
                    raise FetchRefused(url, too_large)
                digest.update(chunk)
                written = sink(chunk)
                if inspect.isawaitable(written):
                    await written
        return Fetched(
            url=url,
            final_url=url,
            status=response.status_code,
            content_type=response.headers.get("content-type"),
            size=size,
            filename=_filename(response.headers.get("content-disposition")),
            sha256=digest.hexdigest(),
        )

    def _tls_context(self, url: str) -> ssl.SSLContext:
        """certifi's bundle (as httpx's default) plus ``ca_file``, built on first use and then shared."""
        if self._tls is None:
            import certifi

            context = ssl.create_default_context(cafile=certifi.where())
            if self.policy.ca_file:
                try:
                    context.load_verify_locations(cafile=self.policy.ca_file)
                except (OSError, ssl.SSLError) as e:
                    raise FetchRefused(url, f"the CA file {self.policy.ca_file} cannot be read ({e})") from None
            self._tls = context
        return self._tls

    def _connect_failure(self, error: Exception, host: str) -> str:
        import httpx

        if isinstance(error, httpx.ConnectTimeout):
            return f"could not connect within {self.policy.connect_timeout:g} s"
        for cause in _causes(error):
            if isinstance(cause, ssl.SSLCertVerificationError):
                if cause.verify_code in (62, 64):  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
                    return f"the TLS certificate is not valid for {host}"
                return f"the TLS certificate is not trusted ({cause.verify_message})"
            if isinstance(cause, ssl.SSLError | anyio.EndOfStream | anyio.BrokenResourceError):
                return "the TLS handshake failed"
            if isinstance(cause, ConnectionRefusedError):
                return "connection refused"
            if isinstance(cause, OSError) and cause.strerror:
                return f"could not connect ({cause.strerror})"
        return "could not connect"


def _is_name(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return True
    return False


def _parse(url: str) -> httpx.URL:
    """The URL as httpx will send it, if it is absolute http(s) with a host and no credentials."""
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise FetchRefused(url, "the URL is not valid") from None
    if not parsed.scheme:
        raise FetchRefused(url, "the URL has no scheme")
    if parsed.scheme not in ("http", "https"):
        raise FetchRefused(url, f"the scheme {parsed.scheme} is not allowed")
    if parsed.userinfo:
        raise FetchRefused(url, "the URL contains credentials")
    if not parsed.raw_host:
        raise FetchRefused(url, "the URL has no host")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise FetchRefused(url, f"the port {parsed.port} is not valid")
    return parsed


def _answer_failure(error: Exception) -> str:
    """A reason for a failure after connecting and before the response headers."""
    import httpx

    if isinstance(error, httpx.RemoteProtocolError):
        if "without sending a response" in str(error):
            return "the server closed the connection without answering"
        return "the server's answer is not valid HTTP"
    if isinstance(error, httpx.ReadError | httpx.WriteError | OSError):
        return "the connection was reset"
    return f"the request failed ({type(error).__name__})"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what it was raised from, innermost last (httpx wraps httpcore wraps the OS)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _filename(disposition: str | None) -> str | None:
    """The Content-Disposition filename without any directory part, None if absent or empty."""
    if not disposition:
        return None
    header = email.message.Message()
    header["content-disposition"] = disposition
    name = header.get_filename()
    if name is None:
        return None
    name = "".join(c for c in name if c.isprintable()).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name if name not in ("", ".", "..") else None
