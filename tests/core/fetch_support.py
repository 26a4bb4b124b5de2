"""A scripted HTTP/1.1 server on 127.0.0.1 for the fetcher's wire tests, and a throwaway CA for https.

Each path answers with a handler that writes raw bytes to the socket, so a test can stall before
the headers, stall or break off mid-body, stream without end, or answer something that is not HTTP.
The server runs in threads, so it keeps serving while the test's event loop fetches.
``guard_connections`` and ``names`` keep a test's fetches on loopback: the first fails any connection
elsewhere, the second is a resolver answering from a table instead of the system's.
"""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import anyio
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Request:
    path: str
    """With the query string."""
    headers: dict[str, str]
    """Lower-cased names."""


Handler = Callable[[socket.socket, Request], None]


class ScriptedServer:
    """Answers ``route(path, handler)`` paths (404 for the rest); records requests and TLS SNI names."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self.server_names: list[str | None] = []
        self.release = threading.Event()
        """Set at shutdown: every handler that stalls waits on it."""
        self._tls = tls
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _ctx: self.server_names.append(name)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def close(self) -> None:
        self.release.set()
        self._listener.close()
        for thread in list(self._threads):  # each listed thread was started (``_accept``)
            thread.join(timeout=2)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()  # before it is listed: close() joins only started threads
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self._tls is not None:
                conn = self._tls.wrap_socket(conn, server_side=True)
            request = _read_request(conn)
            if request is None:
                return
            self.requests.append(request)
            self.routes.get(request.path.partition("?")[0], not_found)(conn, request)
        except OSError:  # the client gave up (refused certificate, aborted body): nothing to answer
            pass
        finally:
            conn.close()


def _read_request(conn: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        part = conn.recv(65536)
        if not part:
            return None
        data += part
        if not data[:1].isalpha():  # a TLS ClientHello, say: answer as an HTTP server would
            conn.sendall(head(400, {"Content-Length": "0"}))
            return None
    lines = data.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    _method, path, _version = lines[0].split(" ")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(path, headers)


def head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} Status"] + [f"{k}: {v}" for k, v in headers.items()] + ["Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Handler:
    """A complete response with a Content-Length."""

    def handle(conn: socket.socket, _request: Request) -> None:
        conn.sendall(head(status, {**(headers or {}), "Content-Length": str(len(body))}) + body)

    return handle


not_found = answer(404, b"no such path")


def redirect(location: str, status: int = 302) -> Handler:
    return answer(status, b"", {"Location": location})


def stream(block: bytes, count: int | None, headers: dict[str, str] | None = None) -> Handler:
    """``count`` copies of ``block`` (without end if None), chunked unless ``headers`` set Content-Length."""

    def handle(conn: socket.socket, _request: Request) -> None:
        fields = dict(headers or {})
        chunked = "Content-Length" not in fields
        if chunked:
            fields["Transfer-Encoding"] = "chunked"
        conn.sendall(head(200, fields))
        frame = f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block
        sent = 0
        while count is None or sent < count:
            conn.sendall(frame)
            sent += 1
        if chunked:
            conn.sendall(b"0\r\n\r\n")

    return handle


def raw(data: bytes, stall: threading.Event | None = None) -> Handler:
    """Exactly ``data`` (nothing, a partial or a broken response), then wait for ``stall`` if given."""

    def handle(conn: socket.socket, _request: Request) -> None:
        conn.sendall(data)
        if stall is not None:
            stall.wait()

    return handle


@dataclass(frozen=True)
class Certificates:
    ca_file: Path
    """The throwaway CA, to trust with ``FetchPolicy(ca_file=...)``."""
    cert_file: Path
    key_file: Path
    """The server's certificate (for DNS name ``files.test`` only) and key."""

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_certificates(directory: Path, name: str = "files.test") -> Certificates:
    """A CA and a server certificate for ``name`` signed by it (EC keys: milliseconds to make)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "atsmock test CA")])
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        _builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]), ca_name, key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    files = Certificates(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    files.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, now: datetime.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def running_server(tls: ssl.SSLContext | None = None) -> Iterator[ScriptedServer]:
    """A fixture body: the server for one test, closed (stalled handlers released) afterwards."""
    server = ScriptedServer(tls)
    try:
        yield server
    finally:
        server.close()


def guard_connections(monkeypatch: Any) -> list[tuple[str, int]]:
    """Record every TCP connect a fetcher makes (httpcore connects through ``anyio.connect_tcp``), failing on
    any that is not to loopback, and fail any system resolution of a name other than ``localhost``."""
    made: list[tuple[str, int]] = []
    connect_tcp = anyio.connect_tcp

    async def recording(remote_host: Any, remote_port: int, **kwargs: Any) -> Any:
        made.append((str(remote_host), remote_port))
        assert ip_address(str(remote_host)).is_loopback, f"the fetcher connected to {remote_host}"
        return await connect_tcp(remote_host, remote_port, **kwargs)

    getaddrinfo = socket.getaddrinfo

    def local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name != "localhost":
            assert ip_address(name).is_loopback, f"the system resolver was asked for {host!r}"
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(anyio, "connect_tcp", recording)
    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    return made


def names(table: dict[str, Sequence[str]]) -> Callable[[str, int], Awaitable[Sequence[str]]]:
    """A resolver answering from ``table`` (for ``Fetcher(resolve=...)``); a name not in it does not resolve."""

    async def resolve(host: str, port: int) -> Sequence[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve
