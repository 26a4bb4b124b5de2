"""One S3 request as the checks see it: bucket and key, the path and query as sent, the headers.

Built once from the ASGI scope (no Starlette ``Request``): the front's request path is hot, and
the signature checks need the raw forms (the path as the client encoded it, the query as sent)
beside the decoded ones.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote


@dataclass(slots=True)
class S3Request:
    method: str
    bucket: str
    key: str
    canonical_uri: str
    """The full path as sent (mount prefix included): SigV4's canonical URI."""
    resource: str
    """``/bucket/key`` as sent, without the mount prefix: SigV2's canonical resource."""
    raw_query: str
    query: list[tuple[str, str]]
    """Query pairs, percent-decoded, in the order sent."""
    params: dict[str, str]
    """The first value of each query parameter."""
    headers: list[tuple[str, str]]
    """Header names lower-case, values latin-1 decoded, in the order sent."""
    request_id: str

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @classmethod
    def from_scope(cls, scope: dict[str, Any] | Any, request_id: str) -> S3Request:
        root: str = scope.get("root_path", "")
        path: str = scope["path"]
        route = path[len(root) :] if root and path.startswith(root) else path
        bucket, _, key = route[1:].partition("/")
        raw_path: bytes | None = scope.get("raw_path")
        encoded_root = quote(root, safe="/~")
        if raw_path:
            canonical_uri = raw_path.decode("latin-1")
            if canonical_uri.startswith(encoded_root):
                resource = canonical_uri[len(encoded_root) :] or "/"
            else:
                resource = quote(route, safe="/~")
        else:
            # No raw path (some in-process transports): re-encode the decoded path as SigV4 clients do.
            canonical_uri = quote(path, safe="/~")
            resource = quote(route, safe="/~")
        raw_query = scope.get("query_string", b"").decode("latin-1")
        query = parse_query(raw_query)
        params: dict[str, str] = {}
        for name, value in query:
            params.setdefault(name, value)
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", ())]
        return cls(
            method=scope["method"],
            bucket=bucket,
            key=key,
            canonical_uri=canonical_uri,
            resource=resource,
            raw_query=raw_query,
            query=query,
            params=params,
            headers=headers,
            request_id=request_id,
        )


_remembered_unquote = functools.lru_cache(maxsize=1024)(unquote)


def _decode(text: str) -> str:
    """``unquote`` of a query name or value; short ones remembered (the names, the algorithm, a day's
    credential scope, the signed headers and expiries come back in every presigned request)."""
    if "%" not in text:
        return text
    return str(_remembered_unquote(text)) if len(text) <= 256 else unquote(text)


def parse_query(raw: str) -> list[tuple[str, str]]:
    """Query pairs decoded as RFC 3986 (``%XX`` only: a ``+`` stays a plus, as in S3 keys and SigV4)."""
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((_decode(name), _decode(value)))
    return pairs
