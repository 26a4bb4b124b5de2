"""Remote files: downloaded with the platform's safe fetcher, streamed into S3, all or nothing. No HTTP here.

WTTJ takes files by URL only (``remote_file_urls``, ``remote_resume_url``, ``remote_portfolio_url``,
``remote_image_url``: CarrierWave's ``remote_*_url`` convention, which downloads the URL while the
record is saved), so the mock downloads them too, during the request. A refusal of any URL fails the
whole request with a 400 ``validation_failed`` naming the field, the URL and the reason; what was
already downloaded for it is thrown away (inferred: a record that fails validation is not saved).

Stored files live at CarrierWave's default ``uploads/<model>/<mounted as>/<id>/<file name>``, the file
name being the URL's last path segment made safe as CarrierWave's ``sanitize_regexp`` makes it, and
are handed out as presigned S3 GETs (CarrierWave's ``authenticated_url``) that expire on the mock clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote, urlsplit

from mockservers.core.clock import Clock
from mockservers.core.fetch import Fetched, FetchPolicy, FetchRefused, FetchTimedOut, Sink
from mockservers.core.filenames import DEFAULT_MEDIA_TYPE, DOCUMENT_TYPES
from mockservers.core.filenames import extension as extension_of
from mockservers.s3.storage import ObjectWriter, Storage
from mockservers.wttj.errors import invalid
from mockservers.wttj.settings import WttjSettings

BUCKET = "wttj-uploads"
"""Where every downloaded file lives (inferred name; WTTJ's bucket is not public)."""


_UNSAFE = re.compile(r"[^\w.\-+]")
"""CarrierWave's ``sanitize_regexp`` (``/[^[:word:]\\.\\-\\+]/``): anything else becomes ``_``."""
_MIME = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")
NAME_LIMIT = 200


class RemoteFetcher(Protocol):
    """What the files need of ``core.fetch.Fetcher`` (and of the scenario's stand-in that times out)."""

    @property
    def policy(self) -> FetchPolicy: ...

    @property
    def monotonic(self) -> Callable[[], float]: ...

    async def fetch(self, url: str, sink: Sink, *, max_bytes: int, timeout: float | None = None) -> Fetched: ...


class TimingOut:
    """``wttj.remote_fetch_timeout``: every fetch fails at once exactly as a real timeout of ``policy`` does."""

    def __init__(self, fetcher: RemoteFetcher) -> None:
        self.policy = fetcher.policy
        self.monotonic = fetcher.monotonic

    async def fetch(self, url: str, sink: Sink, *, max_bytes: int, timeout: float | None = None) -> Fetched:
        raise FetchTimedOut(url, f"timed out after {self.policy.total_timeout:g} s")


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One URL to download: the field that named it, where it goes, and what it may be."""

    field: str
    url: str
    key_prefix: str
    max_bytes: int
    extensions: tuple[str, ...] = ()
    """Allowed extensions (CarrierWave's ``extension_allowlist``); empty allows any file."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str
    size: int
    content_type: str


class _OverQuota(Exception):
    """Raised from the sink when the mock's byte bound would be passed."""


def file_name(url: str) -> str:
    """The name a downloaded file is stored under: the URL path's last segment, made safe; ``file`` if none."""
    try:
        path = urlsplit(url).path
    except ValueError:
        path = ""
    name = _UNSAFE.sub("_", unquote(path).rsplit("/", 1)[-1])[-NAME_LIMIT:]
    return name if name.strip(".") else "file"


def content_type_of(fetched: Fetched, name: str) -> str:
    """The server's media type when it sent a plausible one, else the extension's, else octet-stream."""
    sent = (fetched.content_type or "").split(";", 1)[0].strip().lower()
    if _MIME.fullmatch(sent) and sent != DEFAULT_MEDIA_TYPE:
        return sent
    return DOCUMENT_TYPES.get(extension_of(name), sent or DEFAULT_MEDIA_TYPE)


class FileStore:
    """The files of one app, and the bytes they hold against ``max_stored_bytes``."""

    def __init__(self, settings: WttjSettings, clock: Clock, objects: Storage) -> None:
        self.settings = settings
        self.clock = clock
        self.objects = objects
        self.stored_bytes = 0
        self._in_flight = 0

    def reset(self) -> None:
        self.stored_bytes = 0

    async def download(self, fetcher: RemoteFetcher, wanted: Sequence[RemoteFile]) -> list[StoredFile]:
        """Download every URL in ``wanted`` into S3; all are stored, or none (and the first refusal raised).

        Bytes count against ``max_stored_bytes`` as they arrive, concurrent downloads included.
        """
        writers: list[ObjectWriter] = []
        stored: list[StoredFile] = []
        committed: list[str] = []
        received = 0

        def count(chunk: bytes) -> None:
            nonlocal received
            if self.stored_bytes + self._in_flight + len(chunk) > self.settings.max_stored_bytes:
                raise _OverQuota
            received += len(chunk)
            self._in_flight += len(chunk)

        budget = fetcher.policy.request_timeout
        started = fetcher.monotonic()
        try:
            for item in wanted:
                left = budget - (fetcher.monotonic() - started)
                if left <= 0:
                    raise self._out_of_time(item, budget)
                key = f"{item.key_prefix}/{file_name(item.url)}"
                writer = self.objects.writer(BUCKET, key)
                writers.append(writer)
                fetched = await self._fetch(fetcher, item, writer, count, left)
                stored.append(StoredFile(key, fetched.size, self._check_type(item, fetched, key)))
            for writer, done in zip(writers, stored, strict=True):
                writer.commit()
                committed.append(done.key)
        except BaseException:
            for writer in writers[len(committed) :]:
                writer.abort()
            for key in committed:
                self.objects.delete_object(BUCKET, key)
            raise
        finally:
            self._in_flight -= received
        self.stored_bytes += received
        return stored

    @staticmethod
    def _out_of_time(item: RemoteFile, budget: float) -> Exception:
        return invalid(
            f"{item.field} {item.url} could not be downloaded: the downloads of this request took more than "
            f"{budget:g} s in all ([fetch] request_timeout)"
        )

    async def _fetch(
        self,
        fetcher: RemoteFetcher,
        item: RemoteFile,
        writer: ObjectWriter,
        count: Callable[[bytes], None],
        left: float,
    ) -> Fetched:
        def sink(chunk: bytes) -> None:
            count(chunk)
            writer.write(chunk)

        try:
            return await fetcher.fetch(item.url, sink, max_bytes=item.max_bytes, timeout=left)
        except FetchTimedOut:
            if left < fetcher.policy.total_timeout:  # cut short by the request's budget, not its own timeout
                raise self._out_of_time(item, fetcher.policy.request_timeout) from None
            raise invalid(
                f"{item.field} {item.url} could not be downloaded: timed out after {fetcher.policy.total_timeout:g} s"
            ) from None
        except FetchRefused as refused:
            raise invalid(f"{item.field} {item.url} could not be downloaded: {refused.reason}") from None
        except _OverQuota:
            raise invalid(
                f"{item.field} {item.url}: atsmock keeps at most {self.settings.max_stored_bytes} bytes of files "
                "([wttj] max_stored_bytes); reset the mock (POST /__admin/reset?vendor=wttj)"
            ) from None

    @staticmethod
    def _check_type(item: RemoteFile, fetched: Fetched, key: str) -> str:
        """The file's content type, once its extension is one ``item`` allows (CarrierWave's wording if not)."""
        name = fetched.filename or key.rsplit("/", 1)[-1]
        content_type = content_type_of(fetched, name)
        if item.extensions:
            extension = extension_of(name) or next((e for e, t in DOCUMENT_TYPES.items() if t == content_type), "")
            if extension not in item.extensions:
                raise invalid(
                    f'{item.field} {item.url}: You are not allowed to upload "{extension}" files, '
                    f"allowed types: {', '.join(item.extensions)}"
                )
        return content_type

    def url(self, stored: StoredFile) -> str:
        """A presigned GET of the stored bytes, valid ``download_ttl_seconds`` of mock time from now."""
        return self.objects.presign_get(
            bucket=BUCKET,
            key=stored.key,
            expires_in=self.settings.download_ttl_seconds,
            region=self.settings.region,
            response_content_type=stored.content_type,
        )
