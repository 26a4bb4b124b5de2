"""PageUp's document rules without HTTP: prepare, categories, the move out of temp storage, downloads."""

from __future__ import annotations

import re
from email.message import EmailMessage
from urllib.parse import unquote

import pytest
from pageup_support import INVALID, assert_error
from storage_support import FakeStorage

from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError
from mockservers.pageup.errors import STATUS
from mockservers.pageup.models import (
    STORE_BUCKET,
    TEMP_BUCKET,
    TEMP_UPLOAD_TTL,
    DocumentStore,
    MoveRequest,
    ascii_fallback,
    check_content_type,
    check_expires_in,
    content_disposition,
    extension,
    guess_content_type,
    object_key,
)
from mockservers.pageup.settings import PageUpSettings

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
BOTH_OR_NEITHER = "one and only one of them is required."


@pytest.fixture
def objects() -> FakeStorage:
    return FakeStorage()


@pytest.fixture
def store(objects: FakeStorage) -> DocumentStore:
    settings = PageUpSettings(max_file_size=100, categories={"218": ("Interview Notes", "resume ", "")})
    return DocumentStore(settings, Clock(), objects)


def uploaded(store: DocumentStore, objects: FakeStorage, tenant: str = "218", data: bytes = b"hello") -> str:
    """Prepare and put bytes where the presigned PUT points, as S3 would; the physicalFile."""
    physical: str = store.prepare_upload(tenant, "cv.pdf")["physicalFile"]
    objects.objects[(TEMP_BUCKET, f"{tenant}/Document/{physical}")] = (data, "application/pdf")
    return physical


def move(physical: str, **fields: object) -> MoveRequest:
    values: dict[str, object] = {"title": "CV", "file_name": "cv.pdf", "physical_file": physical, "category_id": 7}
    values.update(fields)
    return MoveRequest(**values)  # type: ignore[arg-type]


# -- prepareTempDirectUpload ------------------------------------------------------------------------


def test_prepare_answers_the_seeds_fields(store: DocumentStore, objects: FakeStorage) -> None:
    answer = store.prepare_upload("543", "test.txt")
    assert list(answer) == ["url", "contentType", "physicalFile", "headers", "method", "fallbackUrl"]
    assert re.fullmatch(UUID + r"\.txt", answer["physicalFile"])
    assert answer["contentType"] == "text/plain"
    assert answer["headers"] == {
        "Content-Disposition": "attachment;filename=\"test.txt\"; filename*=utf-8''test.txt",
        "x-amz-server-side-encryption": "AES256",
        "x-amz-acl": "bucket-owner-full-control",
    }
    assert (answer["method"], answer["fallbackUrl"]) == ("PUT", None)
    assert objects.puts == [
        {
            "bucket": "pageup-storage-temp-au",
            "key": f"543/Document/{answer['physicalFile']}",
            "expires_in": 1800,
            "region": "ap-southeast-2",
            "headers": {
                "content-type": "text/plain",
                "x-amz-server-side-encryption": "AES256",
                "x-amz-acl": "bucket-owner-full-control",
            },
            "params": {"response-content-disposition": "attachment;filename=\"test.txt\"; filename*=utf-8''test.txt"},
        }
    ]
    assert answer["url"] == f"http://s3.test/pageup-storage-temp-au/543/Document/{answer['physicalFile']}?put"


def test_prepare_uses_an_explicit_content_type(store: DocumentStore, objects: FakeStorage) -> None:
    answer = store.prepare_upload("218", "notes.bin", "application/pdf")
    assert answer["contentType"] == "application/pdf"
    assert objects.puts[0]["headers"]["content-type"] == "application/pdf"


def test_physical_files_are_unique(store: DocumentStore) -> None:
    names = {store.prepare_upload("218", "a.pdf")["physicalFile"] for _ in range(50)}
    assert len(names) == 50


@pytest.mark.parametrize("filename", [None, "", "   "])
def test_prepare_requires_a_filename(store: DocumentStore, filename: str | None) -> None:
    with pytest.raises(VendorError) as exc:
        store.prepare_upload("218", filename)  # type: ignore[arg-type]
    assert_error(exc, 400, INVALID, ("filename", "The filename field is required."))


def test_prepare_refuses_a_filename_over_255_characters(store: DocumentStore) -> None:
    store.prepare_upload("218", "a" * 251 + ".pdf")
    with pytest.raises(VendorError) as exc:
        store.prepare_upload("218", "a" * 252 + ".pdf")
    assert_error(exc, 400, INVALID, ("filename", "The field filename must be a string with a maximum length of 255."))


@pytest.mark.parametrize(
    ("filename", "ext"),
    [
        ("test.txt", ".txt"),
        ("CV.PDF", ".PDF"),
        ("archive.tar.gz", ".gz"),
        ("../../etc/passwd", ""),
        ("..\\x.docx", ".docx"),
        (".bashrc", ""),
        ("noext", ""),
        ("trailing.pdf. ", ".pdf"),
        ("weird.p/df", ""),
        ("new\nline.t\rxt", ""),
        ("résumé.pdf", ".pdf"),
        ("x.thisextensionistoolong", ""),
        ("x.ñ", ""),
    ],
)
def test_extension_is_a_safe_suffix(filename: str, ext: str) -> None:
    assert extension(filename) == ext


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("test.txt", "text/plain"),
        ("CV.PDF", "application/pdf"),
        ("cv.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("photo.JPG", "image/jpeg"),
        ("data.unknownext", "application/octet-stream"),
        ("noext", "application/octet-stream"),
    ],
)
def test_content_type_follows_the_extension(filename: str, content_type: str) -> None:
    assert guess_content_type(filename) == content_type


@pytest.mark.parametrize("value", ["text/plain", "application/pdf", "text/plain; charset=utf-8", "a+b/c.d-e"])
def test_explicit_content_types_that_are_media_types_pass(value: str) -> None:
    assert check_content_type(value) == value


@pytest.mark.parametrize("value", ["pdf", "text/plain\r\nX-Evil: 1", "tëxt/plain", "/plain", "text/", "a/b" * 100])
def test_explicit_content_types_that_cannot_be_signed_headers_fail(value: str) -> None:
    with pytest.raises(VendorError) as exc:
        check_content_type(value)
    assert_error(exc, 400, INVALID, ("contentType", f"'{value}' is not a valid content type."))


# -- Content-Disposition ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        ("test.txt", "attachment;filename=\"test.txt\"; filename*=utf-8''test.txt"),
        ("my cv.pdf", "attachment;filename=\"my cv.pdf\"; filename*=utf-8''my%20cv.pdf"),
        ("résumé.pdf", "attachment;filename=\"resume.pdf\"; filename*=utf-8''r%C3%A9sum%C3%A9.pdf"),
        ('a"b\\c.txt', 'attachment;filename="a\\"b\\\\c.txt"; filename*=utf-8\'\'a%22b%5Cc.txt'),
        ("new\r\nline.txt", "attachment;filename=\"new__line.txt\"; filename*=utf-8''new%0D%0Aline.txt"),
        ("履歴書.pdf", "attachment;filename=\"___.pdf\"; filename*=utf-8''%E5%B1%A5%E6%AD%B4%E6%9B%B8.pdf"),
        ("😀;x=y.txt", "attachment;filename=\"_;x=y.txt\"; filename*=utf-8''%F0%9F%98%80%3Bx%3Dy.txt"),
        ("../x.txt", "attachment;filename=\"../x.txt\"; filename*=utf-8''..%2Fx.txt"),
    ],
)
def test_content_disposition_is_escaped(filename: str, header: str) -> None:
    assert content_disposition(filename) == header


@pytest.mark.parametrize(
    "filename", ["résumé.pdf", 'quo"te.txt', "tab\there.txt", "日本語.docx", "a\\b;c.txt", "x\x00y"]
)
def test_content_disposition_is_a_legal_header_that_parses_back(filename: str) -> None:
    header = content_disposition(filename)
    assert header.isascii() and all(" " <= ch <= "~" for ch in header)
    message = EmailMessage()
    message["Content-Disposition"] = header
    assert message.get_content_disposition() == "attachment"
    fallback, star = header.split("; filename*=utf-8''")
    assert fallback == f'attachment;filename="{ascii_fallback(filename)}"'
    assert re.fullmatch(r"[A-Za-z0-9%._~-]+", star) and unquote(star, errors="strict") == filename


def test_ascii_fallback_keeps_printable_ascii_and_drops_accents() -> None:
    assert ascii_fallback("Ångström ﬁle.txt") == "Angstrom file.txt"


# -- categories ------------------------------------------------------------------------------------


def test_tenant_categories_are_the_system_ones_then_the_configured_names(store: DocumentStore) -> None:
    got = [(c.id, c.name, c.system_id) for c in store.categories("218")]
    assert got == [
        (1, "Resume", 7),
        (1001, "Agency", 10),
        (1002, "MailMatcherEmail", 13),
        (1003, "PositionDescription", 14),
        (1004, "ReportBuilderTemplate", 17),
        (1005, "EmployeeDocument", 18),
        (1006, "JobNote", 19),
        (1007, "Interview Notes", None),
    ]
    assert len(store.categories("219")) == 7


def test_no_answered_category_id_is_a_system_id_of_another_category(store: DocumentStore) -> None:
    """A client that sends an answered id back must get a 400, not a document filed under another category."""
    categories = store.categories("218")
    system_ids = {c.system_id for c in categories if c.system_id is not None}
    assert [c.name for c in categories if c.id in system_ids and c.id != c.system_id] == []
    with pytest.raises(VendorError) as exc:
        store.resolve_category("218", None, 1006)  # JobNote's answered id
    assert exc.value.fields[0].message == "Document category id 1006 is not a system document category."


@pytest.mark.parametrize(
    ("name", "system_id", "expected"),
    [
        (None, 7, "Resume"),
        (None, 19, "JobNote"),
        ("Resume", None, "Resume"),
        ("mailmatcheremail", None, "MailMatcherEmail"),
        ("INTERVIEW NOTES", None, "Interview Notes"),
    ],
)
def test_category_by_system_id_or_name(
    store: DocumentStore, name: str | None, system_id: int | None, expected: str
) -> None:
    assert store.resolve_category("218", name, system_id).name == expected


@pytest.mark.parametrize(
    ("name", "system_id", "problem"),
    [(None, None, "Neither documentCategoryName nor"), ("Resume", 7, "Both documentCategoryName and")],
)
def test_exactly_one_category_attribute(
    store: DocumentStore, name: str | None, system_id: int | None, problem: str
) -> None:
    with pytest.raises(VendorError) as exc:
        store.resolve_category("218", name, system_id)
    message = f"{problem} documentCategoryId were provided; {BOTH_OR_NEITHER}"
    assert_error(exc, 400, INVALID, ("documentCategoryName", message), ("documentCategoryId", message))


@pytest.mark.parametrize("system_id", [1, 8, 0, -7, 20])
def test_unknown_category_id(store: DocumentStore, system_id: int) -> None:
    with pytest.raises(VendorError) as exc:
        store.resolve_category("218", None, system_id)
    assert_error(
        exc,
        400,
        INVALID,
        ("documentCategoryId", f"Document category id {system_id} is not a system document category."),
    )


def test_configured_names_belong_to_their_tenant(store: DocumentStore) -> None:
    with pytest.raises(VendorError) as exc:
        store.resolve_category("219", "Interview Notes", None)
    assert_error(exc, 400, INVALID, ("documentCategoryName", "Document category 'Interview Notes' does not exist."))


# -- moveFromTemp ----------------------------------------------------------------------------------


def test_move_files_the_document_and_empties_temp(store: DocumentStore, objects: FakeStorage) -> None:
    physical = uploaded(store, objects)
    doc = store.move_from_temp("218", move(physical, provider_id=9552, application_id=16142309, applicant_id=26459460))
    assert doc.as_json() == {
        "id": "8621",
        "title": "CV",
        "providerID": 9552,
        "fileName": "cv.pdf",
        "physicalFile": doc.physical_file,
        "documentCategoryName": "Resume",
        "documentCategoryId": 1,
        "applicationId": 16142309,
        "applicantId": 26459460,
        "jobId": None,
        "offerId": None,
    }
    assert re.fullmatch(UUID + r"\.pdf", doc.physical_file) and doc.physical_file != physical
    assert (TEMP_BUCKET, f"218/Document/{physical}") not in objects.objects
    assert objects.objects[(STORE_BUCKET, f"218/Document/{doc.physical_file}")] == (b"hello", "application/pdf")
    assert (doc.size, doc.content_type) == (5, "application/pdf")


def test_ids_count_up_from_the_seeds_sample(store: DocumentStore, objects: FakeStorage) -> None:
    ids = [store.move_from_temp("218", move(uploaded(store, objects))).id for _ in range(3)]
    assert ids == [8621, 8622, 8623]


def test_a_physical_file_moves_once(store: DocumentStore, objects: FakeStorage) -> None:
    physical = uploaded(store, objects)
    store.move_from_temp("218", move(physical))
    assert len(store.uploads) == 0
    with pytest.raises(VendorError) as exc:
        store.move_from_temp("218", move(physical))
    assert_error(
        exc,
        400,
        INVALID,
        (
            "physicalFile",
            f"'{physical}' is not a file in temporary storage; "
            "use the physicalFile of a prepareTempDirectUpload response.",
        ),
    )


@pytest.mark.parametrize("physical", ["nope.txt", "../../218/Document/x.txt", ""])
def test_unknown_physical_file(store: DocumentStore, physical: str) -> None:
    with pytest.raises(VendorError) as exc:
        store.move_from_temp("218", move(physical))
    assert STATUS[exc.value.kind] == 400
    assert exc.value.fields[0].field == "physicalFile"


def test_physical_file_of_another_tenant_is_unknown(store: DocumentStore, objects: FakeStorage) -> None:
    physical = uploaded(store, objects, tenant="219")
    with pytest.raises(VendorError) as exc:
        store.move_from_temp("218", move(physical))
    assert (STATUS[exc.value.kind], exc.value.fields[0].field) == (400, "physicalFile")


def test_prepared_but_not_uploaded(store: DocumentStore) -> None:
    physical = store.prepare_upload("218", "cv.pdf")["physicalFile"]
    with pytest.raises(VendorError) as exc:
        store.move_from_temp("218", move(physical))
    assert_error(exc, 400, INVALID, ("physicalFile", f"Nothing has been uploaded to '{physical}' yet."))


def test_object_over_the_maximum_size_is_refused_and_stays(store: DocumentStore, objects: FakeStorage) -> None:
    physical = uploaded(store, objects, data=b"x" * 101)
    with pytest.raises(VendorError) as exc:
        store.move_from_temp("218", move(physical))
    assert_error(exc, 400, INVALID, ("physicalFile", "The uploaded file is 101 bytes; the maximum is 100 bytes."))
    assert (TEMP_BUCKET, f"218/Document/{physical}") in objects.objects


def test_object_at_the_maximum_size_moves(store: DocumentStore, objects: FakeStorage) -> None:
    assert store.move_from_temp("218", move(uploaded(store, objects, data=b"x" * 100))).size == 100


def test_replace_keeps_the_id_and_drops_the_old_object(store: DocumentStore, objects: FakeStorage) -> None:
    first = store.move_from_temp("218", move(uploaded(store, objects)))
    old_key = (STORE_BUCKET, first.key)
    second = store.move_from_temp("218", move(uploaded(store, objects, data=b"v2"), id=first.id, title="CV v2"))
    assert second.id == first.id and second.title == "CV v2"
    assert store.get("218", first.id) is second
    assert old_key not in objects.objects
    assert objects.objects[(STORE_BUCKET, second.key)][0] == b"v2"
    assert len(store.documents) == 1


@pytest.mark.parametrize("tenant", ["218", "219"])
def test_replace_of_unknown_or_foreign_id_is_404(store: DocumentStore, objects: FakeStorage, tenant: str) -> None:
    doc = store.move_from_temp("219", move(uploaded(store, objects, tenant="219")))
    missing = doc.id if tenant == "218" else 999
    physical = uploaded(store, objects, tenant=tenant)
    with pytest.raises(VendorError) as exc:
        store.move_from_temp(tenant, move(physical, id=missing))
    assert_error(exc, 404, f"Document {missing} was not found.")
    assert (TEMP_BUCKET, f"{tenant}/Document/{physical}") in objects.objects


def test_checks_run_in_order_id_category_physical_file(store: DocumentStore) -> None:
    with pytest.raises(VendorError) as exc:
        store.move_from_temp("218", move("nope", id=1, category_id=None))
    assert STATUS[exc.value.kind] == 404
    with pytest.raises(VendorError) as exc:
        store.move_from_temp("218", move("nope", category_id=None))
    assert exc.value.fields[0].field == "documentCategoryName"


# -- download --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [(None, 60), ("", 60), (" ", 60), ("10", 10), ("300", 300), ("+42", 42)])
def test_expires_in_seconds(raw: str | None, value: int) -> None:
    assert check_expires_in(raw) == value


@pytest.mark.parametrize("raw", ["9", "301", "0", "-10", "2147483647"])
def test_expires_in_seconds_out_of_range(raw: str) -> None:
    with pytest.raises(VendorError) as exc:
        check_expires_in(raw)
    assert_error(exc, 400, INVALID, ("expiresInSeconds", "The field expiresInSeconds must be between 10 and 300."))


@pytest.mark.parametrize("raw", ["abc", "60s", "1.5", "1e2", "٣٠", "2147483648", "99999999999"])
def test_expires_in_seconds_not_a_number(raw: str) -> None:
    with pytest.raises(VendorError) as exc:
        check_expires_in(raw)
    assert_error(exc, 400, INVALID, ("expiresInSeconds", f"The value '{raw}' is not valid for expiresInSeconds."))


def test_download_presigns_a_get_with_the_original_name_and_type(store: DocumentStore, objects: FakeStorage) -> None:
    doc = store.move_from_temp("218", move(uploaded(store, objects), file_name="Mon CV é.pdf"))
    answer = store.download("218", doc.id, 42)
    assert answer == {
        **doc.as_json(),
        "contentType": "application/pdf",
        "url": f"http://s3.test/{STORE_BUCKET}/218/Document/{doc.physical_file}?get",
    }
    assert objects.gets == [
        {
            "bucket": STORE_BUCKET,
            "key": f"218/Document/{doc.physical_file}",
            "expires_in": 42,
            "region": "ap-southeast-2",
            "response_content_disposition": content_disposition("Mon CV é.pdf"),
            "response_content_type": "application/pdf",
        }
    ]


def test_download_of_another_tenants_document_is_404(store: DocumentStore, objects: FakeStorage) -> None:
    doc = store.move_from_temp("218", move(uploaded(store, objects)))
    with pytest.raises(VendorError) as exc:
        store.download("219", doc.id, 60)
    assert_error(exc, 404, f"Document {doc.id} was not found.")


def test_reset_forgets_everything_and_restarts_ids(store: DocumentStore, objects: FakeStorage) -> None:
    store.move_from_temp("218", move(uploaded(store, objects)))
    store.reset()
    assert (store.documents, len(store.uploads)) == ({}, 0)
    assert store.move_from_temp("218", move(uploaded(store, objects))).id == 8621


def test_unmoved_temp_uploads_lapse_after_a_day_with_their_objects(store: DocumentStore, objects: FakeStorage) -> None:
    clock = store.clock
    prepared = store.prepare_upload("218", "old.txt")
    key = object_key("218", prepared["physicalFile"])
    objects.objects[(TEMP_BUCKET, key)] = (b"never moved", "text/plain")
    clock.advance(TEMP_UPLOAD_TTL)
    store.prepare_upload("218", "new.txt")
    assert (len(store.uploads), (TEMP_BUCKET, key) in objects.objects) == (1, False)
    with pytest.raises(VendorError) as exc:
        store.move_from_temp("218", MoveRequest("T", "old.txt", prepared["physicalFile"], category_id=7))
    assert exc.value.fields[0].field == "physicalFile"
