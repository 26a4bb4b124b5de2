"""PageUp documents without HTTP: temp uploads, the move out of temp storage, categories, downloads.

Every rule cites PageUp's Document API page (developers.pageuppeople.com/Api/Recruitment/Document,
"Common workflows" A and B; the seed ``000``) or says why it is inferred.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from mockservers.core import errors as kinds
from mockservers.core.clock import Clock
from mockservers.core.codecs import codec, expiring
from mockservers.core.errors import FieldError, VendorError
from mockservers.core.expiry import ExpiringMap
from mockservers.core.state import MemoryState, StateStore, Table
from mockservers.pageup.settings import PageUpSettings
from mockservers.s3.storage import ObjectFacts, Storage

TEMP_BUCKET = "pageup-storage-temp-au"
"""The bucket of the seed's presigned URL (``pageup-storage-temp-au.s3.ap-southeast-2.amazonaws.com``)."""
STORE_BUCKET = "pageup-storage-au"
"""Where moved documents live (inferred name: the temp bucket without ``-temp``)."""

UPLOAD_URL_TTL = 1800
"""Lifetime of the presigned PUT: the seed's URL carries ``X-Amz-Expires=1800``."""
UPLOAD_HEADERS: Mapping[str, str] = {
    "x-amz-server-side-encryption": "AES256",
    "x-amz-acl": "bucket-owner-full-control",
}
"""The fixed entries of ``headers`` in the prepare response (seed, step 1)."""

DOWNLOAD_TTL_DEFAULT = 60
DOWNLOAD_TTL_MIN = 10
DOWNLOAD_TTL_MAX = 300
"""``expiresInSeconds``: "a minimum value of 10 seconds and a maximum value of 300 seconds. If not
specified, the download link is valid for 60 seconds" (seed, workflow B)."""

MAX_FILENAME_LENGTH = 255
"""Longest ``filename`` / ``fileName`` accepted (inferred: the common file-system and column limit)."""

TEMP_UPLOAD_TTL = 24 * 3600
"""How long a prepared upload can still be moved (inferred: the PUT URL lives 1800 s; temp storage is
cleaned after a day here, with its object)."""
MAX_TEMP_UPLOADS = 100_000
"""Temp uploads kept at once (inferred bound); past it the oldest lapse first."""

FIRST_DOCUMENT_ID = 8621
"""First document id handed out; the seed's sample response answers ``"id": "8621"``."""

SYSTEM_CATEGORIES: tuple[tuple[int, str], ...] = (
    (7, "Resume"),
    (10, "Agency"),
    (13, "MailMatcherEmail"),
    (14, "PositionDescription"),
    (17, "ReportBuilderTemplate"),
    (18, "EmployeeDocument"),
    (19, "JobNote"),
)
"""System document categories and their ``documentCategoryId`` (seed, "Document Category Attribute")."""
TENANT_CATEGORY_IDS = 1001
"""The tenant category id answered for the first category after Resume (which answers the seed's 1)."""

CONTENT_TYPES: Mapping[str, str] = {
    "txt": "text/plain",
    "csv": "text/csv",
    "htm": "text/html",
    "html": "text/html",
    "xml": "text/xml",
    "rtf": "application/rtf",
    "json": "application/json",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "dot": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "msg": "application/vnd.ms-outlook",
    "eml": "message/rfc822",
    "zip": "application/zip",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "svg": "image/svg+xml",
    "mp3": "audio/mpeg",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
}
"""Extension → ``contentType`` (seed: ``test.txt`` → ``text/plain``; the rest follow .NET's
``FileExtensionContentTypeProvider``, inferred). Unknown extensions get ``application/octet-stream``."""
DEFAULT_CONTENT_TYPE = "application/octet-stream"

_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,16}")
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[ -~]*)?")


@dataclass(frozen=True, slots=True)
class Category:
    """A tenant's document category: its own ``id`` and ``name``, and the system id it stands for."""

    id: int
    name: str
    system_id: int | None


@dataclass(frozen=True, slots=True)
class MoveRequest:
    """The body of ``POST /document/moveFromTemp`` once its types are checked (see ``inputs``)."""

    title: str
    file_name: str
    physical_file: str
    category_name: str | None = None
    category_id: int | None = None
    id: int | None = None
    provider_id: int | None = None
    job_id: int | None = None
    offer_id: int | None = None
    application_id: int | None = None
    applicant_id: int | None = None


@dataclass(slots=True)
class TempUpload:
    """A ``physicalFile`` handed out by prepareTempDirectUpload, until it is moved (then forgotten)."""

    tenant: str
    physical_file: str
    file_name: str
    content_type: str

    @property
    def key(self) -> str:
        return object_key(self.tenant, self.physical_file)


@dataclass(slots=True)
class Document:
    id: int
    tenant: str
    title: str
    file_name: str
    physical_file: str
    category: Category
    content_type: str
    size: int
    provider_id: int | None = None
    job_id: int | None = None
    offer_id: int | None = None
    application_id: int | None = None
    applicant_id: int | None = None

    @property
    def key(self) -> str:
        return object_key(self.tenant, self.physical_file)

    def as_json(self) -> dict[str, Any]:
        """The seed's moveFromTemp response, in its order; ``id`` is a string there."""
        return {
            "id": str(self.id),
            "title": self.title,
            "providerID": self.provider_id,
            "fileName": self.file_name,
            "physicalFile": self.physical_file,
            "documentCategoryName": self.category.name,
            "documentCategoryId": self.category.id,
            "applicationId": self.application_id,
            "applicantId": self.applicant_id,
            "jobId": self.job_id,
            "offerId": self.offer_id,
        }


def object_key(tenant: str, physical_file: str) -> str:
    """``<tenant>/Document/<physicalFile>``, the key of the seed's presigned URL."""
    return f"{tenant}/Document/{physical_file}"


def invalid(*fields: FieldError, kind: str = kinds.INVALID_INPUT) -> VendorError:
    """PageUp's 400: a request-wide message first, then one entry per field (error-handling page)."""
    return VendorError(kind, "The request is invalid.", code="invalid_request", fields=fields)


@functools.lru_cache(maxsize=1024)
def content_disposition(filename: str) -> str:
    """The seed's ``attachment;filename="x"; filename*=utf-8''x``, safe for any file name.

    ``filename*`` carries the exact name, UTF-8 percent-encoded (RFC 5987, as .NET's
    ``Uri.EscapeDataString`` does). The quoted ``filename`` is the ASCII fallback: accents dropped,
    other non-ASCII and control characters replaced by ``_``, quote and backslash escaped, so the
    whole value is a legal HTTP header (inferred; the seed shows only an ASCII name).
    Remembered for the last 1024 names: every download of a document asks again for the same value.
    """
    return f"attachment;filename=\"{ascii_fallback(filename)}\"; filename*=utf-8''{quote(filename, safe='')}"


def ascii_fallback(filename: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFKD", filename):
        if unicodedata.combining(ch):
            continue
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append("_")
    return "".join(out)


def extension(filename: str) -> str:
    """The file name's extension with its dot (kept as written, like .NET ``Path.GetExtension``).

    Only 1-16 ASCII letters and digits count, so a ``physicalFile`` is always ``<uuid>`` plus a
    safe suffix whatever the name holds (inferred).
    """
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].rstrip(" .")
    dot = base.rfind(".")
    if dot <= 0:
        return ""
    ext = base[dot:]
    return ext if _EXTENSION.fullmatch(ext) else ""


def guess_content_type(filename: str) -> str:
    """``contentType`` from the extension (seed: ``test.txt`` → ``text/plain``)."""
    return CONTENT_TYPES.get(extension(filename)[1:].lower(), DEFAULT_CONTENT_TYPE)


def check_filename(filename: str | None, field_name: str) -> str:
    """A required file name: present, not blank, at most 255 characters."""
    if filename is None or not filename.strip():
        raise invalid(FieldError(field_name, f"The {field_name} field is required."))
    if len(filename) > MAX_FILENAME_LENGTH:
        raise invalid(FieldError(field_name, f"The field {field_name} must be a string with a maximum length of 255."))
    return filename


def check_content_type(content_type: str) -> str:
    """An explicit ``contentType`` must be a media type that can travel as a signed header (inferred)."""
    if len(content_type) > 255 or not _MEDIA_TYPE.fullmatch(content_type):
        raise invalid(FieldError("contentType", f"'{content_type}' is not a valid content type."))
    return content_type


def check_expires_in(raw: str | None) -> int:
    """``expiresInSeconds``: 10..300, default 60 (seed, workflow B); anything else is a 400."""
    if raw is None or raw.strip() == "":
        return DOWNLOAD_TTL_DEFAULT
    text = raw.strip()
    if not re.fullmatch(r"[+-]?[0-9]{1,10}", text) or not -(2**31) <= int(text) < 2**31:
        # What ASP.NET's binder says when the text is no Int32.
        raise invalid(FieldError("expiresInSeconds", f"The value '{raw}' is not valid for expiresInSeconds."))
    value = int(text)
    if not DOWNLOAD_TTL_MIN <= value <= DOWNLOAD_TTL_MAX:
        raise invalid(
            FieldError("expiresInSeconds", f"The field expiresInSeconds must be between {DOWNLOAD_TTL_MIN} and 300.")
        )
    return value


@dataclass
class DocumentStore:
    """One mock's documents, temp uploads and categories; the S3 objects live in ``objects``, the records
    in ``state`` (the platform's store: in memory, or durable with ``--state-dir``)."""

    settings: PageUpSettings
    clock: Clock
    objects: Storage
    state: StateStore = field(default_factory=MemoryState)

    def __post_init__(self) -> None:
        state = self.state
        self.documents: Table[int, Document] = state.table("pageup.documents", codec(Document))
        self.uploads: ExpiringMap[tuple[str, str], TempUpload] = ExpiringMap(
            self.clock,
            TEMP_UPLOAD_TTL,
            limit=MAX_TEMP_UPLOADS,
            on_expire=self._forget_upload,
            table=state.table("pageup.temp_uploads", expiring(codec(TempUpload))),
        )
        self._next_id = state.cell("pageup.next_document_id", FIRST_DOCUMENT_ID)

    def _forget_upload(self, where: tuple[str, str], upload: TempUpload) -> None:
        self.objects.delete_object(TEMP_BUCKET, upload.key)

    def reset(self) -> None:
        with self.state.atomic():
            self.documents.clear()
            self.uploads.clear()
            self._next_id.clear()

    # -- categories ---------------------------------------------------------------------------

    def categories(self, tenant: str) -> tuple[Category, ...]:
        """The tenant's categories: the system ones, then the names configured for the tenant.

        The seed's sample request sends ``documentCategoryId: 7`` and its response answers
        ``"documentCategoryName": "Resume", "documentCategoryId": 1``: the response carries the
        tenant's own category id, the request the system id (lLKP_SystemDocumentCategoryID). So
        Resume answers 1, as in the seed; every other category answers an id from
        ``TENANT_CATEGORY_IDS`` on (inferred), far from every system id, so a client that sends an
        answered id back (JobNote's, say) gets a 400 instead of filing the document as a Resume.
        """
        found: list[Category] = []
        seen: set[str] = set()
        next_id = TENANT_CATEGORY_IDS
        for system_id, name in SYSTEM_CATEGORIES:
            if name == "Resume":
                found.append(Category(1, name, system_id))
            else:
                found.append(Category(next_id, name, system_id))
                next_id += 1
            seen.add(name.casefold())
        for configured in self.settings.categories.get(tenant, ()):
            name = configured.strip()
            if name and name.casefold() not in seen:
                found.append(Category(next_id, name, None))
                next_id += 1
                seen.add(name.casefold())
        return tuple(found)

    def resolve_category(self, tenant: str, name: str | None, system_id: int | None) -> Category:
        """Exactly one of ``documentCategoryName`` / ``documentCategoryId``, and it must exist.

        Seed: "ONE AND ONLY ONE of either attribute should be present in the request". Names
        match case-insensitively (inferred: PageUp's SQL Server collation); ids are the system
        ids of the seed's table, which custom categories do not have.
        """
        if (name is None) == (system_id is None):
            problem = "Both documentCategoryName and" if name is not None else "Neither documentCategoryName nor"
            message = f"{problem} documentCategoryId were provided; one and only one of them is required."
            raise invalid(FieldError("documentCategoryName", message), FieldError("documentCategoryId", message))
        categories = self.categories(tenant)
        if system_id is not None:
            for category in categories:
                if category.system_id == system_id:
                    return category
            raise invalid(
                FieldError("documentCategoryId", f"Document category id {system_id} is not a system document category.")
            )
        assert name is not None
        for category in categories:
            if category.name.casefold() == name.strip().casefold():
                return category
        raise invalid(FieldError("documentCategoryName", f"Document category '{name}' does not exist."))

    # -- workflow A: upload ---------------------------------------------------------------------

    def prepare_upload(self, tenant: str, filename: str, content_type: str | None = None) -> dict[str, Any]:
        """GET /document/prepareTempDirectUpload: the seed's response, field for field.

        ``url`` is a presigned PUT to ``pageup-storage-temp-au`` at ``<tenant>/Document/<uuid><ext>``,
        valid 1800 s, signing content-type, host, x-amz-acl and x-amz-server-side-encryption, with
        ``response-content-disposition`` in its query (all as in the seed's URL).
        """
        check_filename(filename, "filename")
        content_type = check_content_type(content_type) if content_type else guess_content_type(filename)
        upload = TempUpload(tenant, f"{uuid.uuid4()}{extension(filename)}", filename, content_type)
        disposition = content_disposition(filename)
        url = self.objects.presign_put(
            bucket=TEMP_BUCKET,
            key=upload.key,
            expires_in=UPLOAD_URL_TTL,
            region=self.settings.region,
            headers={"content-type": content_type, **UPLOAD_HEADERS},
            params={"response-content-disposition": disposition},
        )
        self.uploads.put((tenant, upload.physical_file), upload)
        return {
            "url": url,
            "contentType": content_type,
            "physicalFile": upload.physical_file,
            "headers": {"Content-Disposition": disposition, **UPLOAD_HEADERS},
            "method": "PUT",
            "fallbackUrl": None,
        }

    def move_from_temp(self, tenant: str, request: MoveRequest) -> Document:
        """POST /document/moveFromTemp: file the uploaded object as a document (or replace one).

        Seed, step 3: ``id`` replaces that existing document; ``physicalFile`` is "the value for
        physicalFile from the response in Step 1"; exactly one category attribute. Checked in
        that order: the document to replace (404), the category (400), the temp object (400).
        The object then leaves temp storage under a fresh ``physicalFile`` (inferred from the
        seed's sample, whose response names another physicalFile than its request).
        """
        replaced = None
        if request.id is not None:
            replaced = self.documents.get(request.id)
            if replaced is None or replaced.tenant != tenant:
                raise VendorError(kinds.NOT_FOUND, f"Document {request.id} was not found.")
        category = self.resolve_category(tenant, request.category_name, request.category_id)
        upload = self.uploads.get((tenant, request.physical_file))
        if upload is None:
            raise invalid(
                FieldError(
                    "physicalFile",
                    f"'{request.physical_file}' is not a file in temporary storage; "
                    "use the physicalFile of a prepareTempDirectUpload response.",
                )
            )
        info = self.objects.head_object(TEMP_BUCKET, upload.key)
        if info is None:
            raise invalid(FieldError("physicalFile", f"Nothing has been uploaded to '{request.physical_file}' yet."))
        limit = self.settings.max_file_size
        if info.size > limit:
            raise invalid(
                FieldError("physicalFile", f"The uploaded file is {info.size} bytes; the maximum is {limit} bytes.")
            )
        if replaced is None and len(self.documents) >= self.settings.max_documents:
            raise invalid(
                FieldError(
                    None,
                    f"atsmock keeps at most {self.settings.max_documents} documents (pageup.max_documents); "
                    "reset the mock (POST /__admin/reset?vendor=pageup).",
                )
            )
        physical_file = f"{uuid.uuid4()}{extension(upload.physical_file)}"
        with self.state.atomic():  # after a crash the move happened entirely or not at all
            document = self._move(tenant, request, upload, info, category, replaced, physical_file)
        return document

    def _move(
        self,
        tenant: str,
        request: MoveRequest,
        upload: TempUpload,
        info: ObjectFacts,
        category: Category,
        replaced: Document | None,
        physical_file: str,
    ) -> Document:
        self.objects.copy_object(TEMP_BUCKET, upload.key, STORE_BUCKET, object_key(tenant, physical_file))
        self.objects.delete_object(TEMP_BUCKET, upload.key)
        # Forgotten once moved: a second move is refused like an unknown one, and a long run of
        # uploads leaves no record behind.
        self.uploads.pop((tenant, upload.physical_file))
        if replaced is not None:
            self.objects.delete_object(STORE_BUCKET, replaced.key)
            doc_id = replaced.id
        else:
            doc_id = self._next_id.get()
            self._next_id.set(doc_id + 1)
        document = Document(
            id=doc_id,
            tenant=tenant,
            title=request.title,
            file_name=request.file_name,
            physical_file=physical_file,
            category=category,
            content_type=info.content_type or upload.content_type,
            size=info.size,
            provider_id=request.provider_id,
            job_id=request.job_id,
            offer_id=request.offer_id,
            application_id=request.application_id,
            applicant_id=request.applicant_id,
        )
        self.documents.put(doc_id, document)
        return document

    # -- workflow B: download ---------------------------------------------------------------------

    def get(self, tenant: str, document_id: int) -> Document:
        """A document of this tenant; another tenant's document is as unknown as a missing one."""
        document = self.documents.get(document_id)
        if document is None or document.tenant != tenant:
            raise VendorError(kinds.NOT_FOUND, f"Document {document_id} was not found.")
        return document

    def download(self, tenant: str, document_id: int, expires_in: int) -> dict[str, Any]:
        """GET /document/{id}: the metadata plus a presigned GET ``url`` valid ``expires_in`` seconds.

        The response is not documented (the seed stops at the parameters); inferred: the
        moveFromTemp shape plus ``contentType`` and ``url``, whose download carries the original
        file name and content type.
        """
        document = self.get(tenant, document_id)
        url = self.objects.presign_get(
            bucket=STORE_BUCKET,
            key=document.key,
            expires_in=expires_in,
            region=self.settings.region,
            response_content_disposition=content_disposition(document.file_name),
            response_content_type=document.content_type,
        )
        return {**document.as_json(), "contentType": document.content_type, "url": url}
