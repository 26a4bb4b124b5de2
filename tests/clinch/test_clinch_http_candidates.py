"""Clinch's candidates over HTTP: the JSON:API resource, create, get, patch, the list's paging and filters."""

from __future__ import annotations

import calendar
from typing import Any

import httpx
import pytest
from clinch_support import JSON_API, Clinch, document, error, not_found, unprocessable

from mockservers.config import Settings
from mockservers.testing import AdminClient, in_process_client, make_app


@pytest.fixture
def clinch(client: httpx.Client, app: Any) -> Clinch:
    app.platform.clock.freeze()
    app.platform.clock.set(1_700_000_000)
    return Clinch(client, app)


_LISTS = "skills job_departments_viewed job_categories_viewed job_cities educated_at studied ats_statuses"
RELATIONSHIPS_EMPTY = {
    name: {"data": None if name in ("social_profile", "recent_location", "project_entry") else []}
    for name in (
        "social_profile page_sessions resumes web_sessions form_submissions form_submission_fields "
        "job_alert_subscriptions events project_template_stages static_lists locations recent_location jobs "
        "job_applications notes project_entry call_to_actions jobs_application_dropped_off jobs_applied "
        "jobs_favourited jobs_viewed pages_performed_cta pages_viewed recruitment_events web_campaigns"
    ).split()
}


def expected_candidate(candidate_id: str, *, ago: str = "less than a minute ago", **attributes: Any) -> dict[str, Any]:
    """The whole resource object of a candidate created at 2023-11-14T22:13:20Z (the fixture's clock)."""
    date = {
        "utc": "2023-11-14T22:13:20Z",
        "epoch": 1_700_000_000,
        "ago": ago,
        "local": "2023-11-14T22:13:20Z",
        "local_epoch": 1_700_000_000,
    }
    url = f"http://testserver/clinch/v1/candidates/{candidate_id}"
    email = attributes.get("email", "ada@example.com")
    links = {"self": {"url": url}, "mail_to": {"url": f"mailto:{email}"}}
    if attributes.get("phone_number"):
        links["tel"] = {"url": f"tel:{attributes['phone_number']}"}
    first, last = attributes.get("first_name"), attributes.get("last_name")
    return {
        "id": candidate_id,
        "type": "candidates",
        "attributes": {
            "uid": candidate_id,
            "created_at": date,
            "updated_at": date,
            "links": links,
            "name": " ".join(p for p in (first, last) if p) or None,
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone_number": attributes.get("phone_number"),
            "tags": attributes.get("tags", []),
            "interaction_score": 0,
            "subscription_status": "subscribed",
            "manually_added": True,
            "visit_count": 0,
            "custom_data": {},
            **dict.fromkeys(
                "kind industry last_seen_at last_location last_employer_name last_employment_title first_seen_at "
                "first_traffic_source_name last_traffic_source_name applications_started_date latest_ats_status "
                "utm_parameters".split()
            ),
            **dict.fromkeys("internal_candidate has_linkedin linkedin_connected in_eu".split(), False),
            **{k: [] for k in _LISTS.split()},
        },
        "relationships": RELATIONSHIPS_EMPTY,
        "links": {"self": url},
    }


# -- create ------------------------------------------------------------------------------------------


def test_create_answers_201_with_the_whole_candidate_and_its_location(clinch: Clinch) -> None:
    body = document(
        "candidates",
        email="ada@example.com",
        first_name="Ada",
        last_name="Lovelace",
        phone_number="+44 20 7946 0958",
        tag_values=["math"],
    )
    response = clinch.call("POST", "/candidates", body)
    assert (response.status_code, response.headers["content-type"]) == (201, JSON_API)
    created = response.json()
    candidate_id = created["data"]["id"]
    assert created == {
        "data": expected_candidate(
            candidate_id, first_name="Ada", last_name="Lovelace", phone_number="+44 20 7946 0958", tags=["math"]
        )
    }
    assert response.headers["location"] == f"http://testserver/clinch/v1/candidates/{candidate_id}"


@pytest.mark.parametrize("resource_type", ["candidate", "candidates"])
def test_create_accepts_the_documented_type_and_the_one_the_ruby_client_sends(
    clinch: Clinch, resource_type: str
) -> None:
    assert (
        clinch.ok("POST", "/candidates", document(resource_type, email="a@example.com"), 201)["data"]["type"]
        == "candidates"
    )


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        (
            document("jobs", email="a@example.com"),
            unprocessable("/data/type", "type 'jobs' is not one of candidate, candidates", "invalid_document"),
        ),
        (
            {"data": {"attributes": {"email": "a@example.com"}}},
            unprocessable("/data/type", "type can't be blank", "invalid_document"),
        ),
        (
            {"data": [{"type": "candidates"}]},
            unprocessable("/data", "data must be a resource object", "invalid_document"),
        ),
        ({"meta": {}}, unprocessable("/data", "data must be a resource object", "invalid_document")),
        (
            {"data": {"type": "candidates", "attributes": []}},
            unprocessable("/data/attributes", "attributes must be an object", "invalid_document"),
        ),
        (document("candidates"), unprocessable("/data/attributes/email", "Email can't be blank", "blank")),
        (document("candidates", email="nope"), unprocessable("/data/attributes/email", "Email is invalid")),
    ],
)
def test_a_refused_document_is_a_422_pointing_at_the_part_at_fault(
    clinch: Clinch, body: dict[str, Any], answer: dict[str, Any]
) -> None:
    response = clinch.call("POST", "/candidates", body)
    assert (response.status_code, response.headers["content-type"], response.json()) == (422, JSON_API, answer)


def test_a_json_array_is_a_422_at_the_root_and_a_body_that_is_not_json_a_400(clinch: Clinch) -> None:
    root = clinch.call("POST", "/candidates", b"[]")
    assert (root.status_code, root.json()) == (
        422,
        unprocessable("", "The request body must be a JSON:API document (an object with data)", "invalid_document"),
    )
    broken = clinch.call("POST", "/candidates", b'{"data": ')
    assert (broken.status_code, broken.json()) == (
        400,
        error(400, "bad_json", "Bad request", "The request body is not valid JSON: the body is not valid JSON"),
    )


def test_a_number_of_5000_digits_is_json_and_its_attribute_is_validated(clinch: Clinch) -> None:
    """Ruby's JSON reads it as a Bignum and Rails casts it to its text for a string attribute: a name too long
    (Python's ``json`` alone refuses more than 4300 digits, which answered 400 "not valid JSON")."""
    long = b"9" * 5000
    raw = b'{"data": {"type": "candidates", "attributes": {"email": "a@example.com", "first_name": %s}}}' % long
    response = clinch.call("POST", "/candidates", raw)
    assert (response.status_code, response.json()) == (
        422,
        unprocessable("/data/attributes/first_name", "First name is too long (maximum is 255 characters)", "too_long"),
    )
    short = b'{"data": {"type": "candidates", "attributes": {"email": "a@example.com", "first_name": 42}}}'
    created = clinch.call("POST", "/candidates", short)
    assert (created.status_code, created.json()["data"]["attributes"]["first_name"]) == (201, "42")


def test_a_second_candidate_with_the_same_email_is_a_422(clinch: Clinch) -> None:
    clinch.create("ada@example.com")
    response = clinch.call("POST", "/candidates", document("candidates", email="ADA@example.com"))
    assert (response.status_code, response.json()) == (
        422,
        unprocessable("/data/attributes/email", "Email has already been taken", "taken"),
    )


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/vnd.api+json; charset=utf-8", "Application/VND.API+JSON"]
)
def test_json_and_media_type_parameters_are_accepted(clinch: Clinch, content_type: str) -> None:
    body = document("candidates", email="a@example.com")
    assert (
        clinch.ok("POST", "/candidates", body, 201, headers={"Content-Type": content_type})["data"]["attributes"][
            "email"
        ]
        == "a@example.com"
    )


def test_another_media_type_is_a_415_and_none_is_a_missing_document(clinch: Clinch) -> None:
    body = b'{"data": {"type": "candidates", "attributes": {"email": "a@example.com"}}}'
    form = clinch.call("POST", "/candidates", body, headers={"Content-Type": "text/plain"})
    assert (form.status_code, form.headers["content-type"], form.json()) == (
        415,
        JSON_API,
        error(
            415,
            "unsupported_media_type",
            "Unsupported media type",
            "Request bodies must be application/vnd.api+json (or application/json), not 'text/plain'",
        ),
    )
    request = clinch.http.build_request("POST", "/clinch/v1/candidates", content=body)
    untyped = clinch.http.send(clinch.auth.sign(request))
    assert (untyped.status_code, untyped.json()) == (
        422,
        unprocessable(
            "/data",
            "data is missing: the request has no Content-Type, send application/vnd.api+json",
            "invalid_document",
        ),
    )


def test_a_body_over_one_mebibyte_is_a_413_before_it_is_read(clinch: Clinch) -> None:
    response = clinch.call("POST", "/candidates", b" " * (1024 * 1024 + 1))
    assert (response.status_code, response.json()) == (
        413,
        error(413, "too_large", "Payload too large", "The request body is larger than 1048576 bytes"),
    )


# -- get and patch ------------------------------------------------------------------------------------------


def test_get_answers_the_candidate_with_ago_on_the_mock_clock(clinch: Clinch, app: Any) -> None:
    candidate = clinch.create()
    app.platform.clock.advance(2 * 3600)
    fetched = clinch.ok("GET", f"/candidates/{candidate['id']}")
    assert fetched == {"data": expected_candidate(candidate["id"], ago="about 2 hours ago")}


def test_an_unknown_candidate_is_a_404(clinch: Clinch) -> None:
    response = clinch.call("GET", "/candidates/0123456789abcdef0123456789abcdef")
    assert (response.status_code, response.headers["content-type"], response.json()) == (
        404,
        JSON_API,
        not_found("The record identified by 0123456789abcdef0123456789abcdef could not be found (candidate)"),
    )


def invalid_include(named: str) -> Any:
    """jsonapi-resources' 400 for an ``include`` name that is no relationship, naming the parameter."""
    return error(
        400,
        "invalid_include",
        "Bad request",
        f"{named} is not a valid includable relationship of candidates",
        parameter="include",
    )


def test_an_include_path_the_api_does_not_have_is_a_400_naming_the_parameter(clinch: Clinch) -> None:
    candidate = clinch.create()
    response = clinch.call("GET", f"/candidates/{candidate['id']}", params={"include": "resumes,secrets"})
    assert (response.status_code, response.json()) == (400, invalid_include("secrets"))
    included = clinch.ok("GET", f"/candidates/{candidate['id']}", params={"include": "notes,jobs"})
    assert included["included"] == []


@pytest.mark.parametrize(
    ("include", "named"),
    [
        (" resumes ", " resumes "),
        ("resumes, notes", " notes"),
        ("resumes,\x85\xa0", "\x85\xa0"),
        ("resumes,\x1f", "\x1f"),
        ('resumes,""', ""),
        ('res"umes', 'res"umes'),
        ('"resumes"x', '"resumes"x'),
        ('"resumes', '"resumes'),
    ],
)
def test_include_is_read_as_jsonapi_resources_reads_it_with_csv_nothing_trimmed(
    clinch: Clinch, include: str, named: str
) -> None:
    """jsonapi-resources splits ``include`` with Ruby's ``CSV.parse_line`` and trims nothing: a name with spaces
    is no relationship; a quote CSV cannot read names the whole value; the first bad name is the one named."""
    candidate = clinch.create()
    response = clinch.call("GET", f"/candidates/{candidate['id']}", params={"include": include})
    assert (response.status_code, response.json()) == (400, invalid_include(named))


@pytest.mark.parametrize("include", ["", "resumes,", ",resumes", '"resumes"', '"resumes",notes', "resumes\nsecrets"])
def test_include_takes_csv_quotes_and_drops_empty_names(clinch: Clinch, include: str) -> None:
    candidate = clinch.create()
    document = clinch.ok("GET", f"/candidates/{candidate['id']}", params={"include": include})
    assert ("included" in document) is (include != "")


def test_patch_changes_the_named_attributes(clinch: Clinch, app: Any) -> None:
    candidate = clinch.create(first_name="Ada")
    app.platform.clock.advance(61)
    updated = clinch.ok("PATCH", f"/candidates/{candidate['id']}", document("candidate", last_name="King"))["data"]
    assert (updated["attributes"]["name"], updated["attributes"]["updated_at"]["epoch"]) == ("Ada King", 1_700_000_061)
    with_id = {"data": {"type": "candidates", "id": candidate["id"], "attributes": {"first_name": "Augusta"}}}
    assert clinch.ok("PATCH", f"/candidates/{candidate['id']}", with_id)["data"]["attributes"]["name"] == "Augusta King"


def test_patch_without_attributes_is_a_422_at_the_attributes_and_changes_nothing(clinch: Clinch) -> None:
    """The published document requires ``data.attributes``; the contract suite found it was a silent 200."""
    candidate = clinch.create(first_name="Ada")
    response = clinch.call("PATCH", f"/candidates/{candidate['id']}", {"data": {"type": "candidates"}})
    assert (response.status_code, response.json()) == (
        422,
        unprocessable("/data/attributes", "attributes must be an object", "invalid_document"),
    )
    assert clinch.ok("GET", f"/candidates/{candidate['id']}")["data"]["attributes"]["first_name"] == "Ada"


def test_patch_with_another_id_is_a_422_and_of_an_unknown_candidate_a_404(clinch: Clinch) -> None:
    candidate = clinch.create()
    other = {"data": {"type": "candidates", "id": "x", "attributes": {}}}
    response = clinch.call("PATCH", f"/candidates/{candidate['id']}", other)
    assert (response.status_code, response.json()) == (
        422,
        unprocessable("/data/id", f"id 'x' does not match the id in the URL, {candidate['id']}", "invalid_document"),
    )
    missing = clinch.call("PATCH", "/candidates/nobody", document("candidates", first_name="A"))
    assert (missing.status_code, missing.json()) == (
        404,
        not_found("The record identified by nobody could not be found (candidate)"),
    )


# -- the list -------------------------------------------------------------------------------------------------


def _links(query: str, pages: dict[str, int]) -> dict[str, str]:
    base = "http://testserver/clinch/v1/candidates?"
    return {name: f"{base}{query}page={page}&per_page=2" for name, page in pages.items()}


def test_the_list_pages_with_links_and_meta(clinch: Clinch) -> None:
    ids = [clinch.create(f"c{i}@example.com")["id"] for i in range(5)]
    page = clinch.ok("GET", "/candidates", params={"page": "2", "per_page": "2"})
    assert [c["id"] for c in page["data"]] == ids[2:4]
    assert page["links"] == _links("", {"self": 2, "first": 1, "prev": 1, "next": 3, "last": 3})
    assert page["meta"] == {"record_count": 5, "page_count": 3}
    last = clinch.ok("GET", "/candidates", params={"page": "3", "per_page": "2"})
    assert ([c["id"] for c in last["data"]], last["links"]) == (
        ids[4:],
        _links("", {"self": 3, "first": 1, "prev": 2, "last": 3}),
    )
    assert "included" not in last


def test_following_next_keeps_the_filters(clinch: Clinch, app: Any) -> None:
    for i in range(3):
        clinch.create(f"c{i}@example.com")
        app.platform.clock.advance(10)
    first = clinch.ok(
        "GET",
        "/candidates",
        params={"filter[updated_at][gte]": "2023-11-14T22:13:30Z", "per_page": "1", "include": "resumes"},
    )
    assert (
        first["links"]["next"]
        == "http://testserver/clinch/v1/candidates?filter[updated_at][gte]=2023-11-14T22%3A13%3A30Z&include=resumes&page=2&per_page=1"
    )
    assert (first["meta"], first["included"]) == ({"record_count": 2, "page_count": 2}, [])
    following = clinch.http.send(clinch.auth.sign(clinch.http.build_request("GET", first["links"]["next"])))
    assert [c["attributes"]["email"] for c in following.json()["data"]] == ["c2@example.com"]


@pytest.mark.parametrize(
    ("params", "emails"),
    [
        ({"filter[email][eq]": "C1@example.com"}, ["c1@example.com"]),
        ({"filter[updated_at][lt]": "2023-11-14T22:13:30"}, ["c0@example.com"]),
        (
            {"filter[updated_at][gte]": "2023-11-14T22:13:30", "filter[updated_at][lt]": "2023-11-14T23:13:40+01:00"},
            ["c1@example.com"],
        ),
        (
            {"filter[nothing][eq]": "x", "filter[updated_at][gt]": "whatever"},
            ["c0@example.com", "c1@example.com", "c2@example.com"],
        ),
        ({"page": "0", "per_page": "-3"}, ["c0@example.com", "c1@example.com", "c2@example.com"]),
        ({"page": "1abc", "per_page": "x"}, ["c0@example.com", "c1@example.com", "c2@example.com"]),
        ({"page": "1", "per_page": "9" * 5000}, ["c0@example.com", "c1@example.com", "c2@example.com"]),
        ({"page": "9" * 5000}, []),
        ({"page": "\u0662", "per_page": "1"}, ["c0@example.com"]),  # Arabic-Indic 2: Ruby's to_i reads 0
        ({"page": "2", "per_page": "\u0661"}, []),  # no ASCII digit: the default size, one page
        ({"page": "2", "per_page": "1_0"}, []),  # Ruby reads 10
        ({"page": "2", "per_page": "1__0"}, ["c1@example.com"]),  # Ruby stops at the second underscore: 1
        ({"page": "2", "per_page": "+1"}, []),  # Kaminari's /^\d/ fails: the default size
        ({"page": "2", "per_page": " 1"}, []),
        ({"page": "2", "per_page": "-1"}, []),
        ({"page": " \t2", "per_page": "1abc"}, ["c1@example.com"]),
    ],
)
def test_the_list_filters_and_reads_paging_leniently(
    clinch: Clinch, app: Any, params: dict[str, str], emails: list[str]
) -> None:
    for i in range(3):
        clinch.create(f"c{i}@example.com")
        app.platform.clock.advance(10)
    assert [c["attributes"]["email"] for c in clinch.ok("GET", "/candidates", params=params)["data"]] == emails


@pytest.mark.parametrize("per_page", ["0", "00", "0abc", "x\n1"])
def test_per_page_zero_is_kaminaris_zero_per_page_operation_a_500(clinch: Clinch, per_page: str) -> None:
    """Kaminari's ``per(0)`` is ``limit(0)``, and counting its pages raises ``ZeroPerPageOperation``: Rails' 500."""
    clinch.create("c0@example.com")
    response = clinch.call("GET", "/candidates", params={"per_page": per_page})
    assert (response.status_code, response.json()) == (
        500,
        error(500, "zero_per_page", "Internal server error", "We're sorry, but something went wrong."),
    )


def test_per_page_is_capped_at_the_maximum_and_defaults_to_25(app: Any) -> None:
    from mockservers.clinch.settings import ClinchSettings

    capped = make_app(
        Settings()
        .replace(clinch=ClinchSettings(max_page_size=2, default_page_size=1))
        .with_server(public_url="http://testserver")
    )
    with in_process_client(capped) as http:
        local = Clinch(http, capped)
        for i in range(3):
            local.create(f"c{i}@example.com")
        assert local.ok("GET", "/candidates", params={"per_page": "50"})["meta"] == {"record_count": 3, "page_count": 2}
        assert local.ok("GET", "/candidates")["meta"] == {"record_count": 3, "page_count": 3}


def test_a_filter_date_time_it_cannot_read_is_a_400_naming_the_parameter(clinch: Clinch) -> None:
    response = clinch.call("GET", "/candidates", params={"filter[updated_at][gte]": "last tuesday"})
    assert (response.status_code, response.json()) == (
        400,
        error(
            400,
            "invalid_filter_value",
            "Bad request",
            "'last tuesday' is not a date-time such as 2021-01-01T13:00:17",
            parameter="filter[updated_at][gte]",
        ),
    )


@pytest.mark.parametrize(("name", "operators"), [("filter[updated_at]", "lt|gte"), ("filter[email]", "eq")])
def test_a_named_filter_without_its_operator_is_a_400_naming_the_parameter(
    clinch: Clinch, name: str, operators: str
) -> None:
    """``filter[updated_at]=true`` is not ``filter[updated_at][lt]=...``: Rails hands the filter a string where
    it wants an operator hash; the mock had ignored it and listed every candidate (found by ``atsmock
    contract --vendor clinch --max-examples 100``, negative mode). An empty one (schemathesis writes an empty
    object so) and an operator it does not know stay ignored."""
    clinch.create()
    response = clinch.call("GET", "/candidates", params={name: "true"})
    assert (response.status_code, response.json()) == (
        400,
        error(
            400,
            "invalid_filter",
            "Bad request",
            f"{name} is not a filter: send {name}[{operators}]=<value>",
            parameter=name,
        ),
    )
    assert len(clinch.ok("GET", "/candidates", params={name: "", f"{name}[]": "x", f"{name}[in]": "y"})["data"]) == 1


def test_an_empty_list_has_one_empty_page(clinch: Clinch) -> None:
    answer = clinch.ok("GET", "/candidates")
    base = "http://testserver/clinch/v1/candidates?page=1&per_page=25"
    assert answer == {
        "data": [],
        "links": {"self": base, "first": base, "last": base},
        "meta": {"record_count": 0, "page_count": 1},
    }


# -- routing, the vectors on the wire, root mode, the journal --------------------------------------------------


def test_unknown_paths_and_methods_are_json_api_404s_as_a_rails_router_answers(clinch: Clinch) -> None:
    missing = clinch.call("GET", "/jobs")
    assert (missing.status_code, missing.headers["content-type"], missing.json()) == (
        404,
        JSON_API,
        error(404, "no_route", "Not found", "No route matches [GET] /clinch/v1/jobs"),
    )
    wrong = clinch.call("DELETE", "/candidates")
    assert (wrong.status_code, wrong.json()) == (
        404,
        error(404, "no_route", "Not found", "No route matches [DELETE] /clinch/v1/candidates"),
    )


def test_the_ruby_clients_own_signed_requests_are_accepted_on_the_wire(client: httpx.Client, app: Any) -> None:
    """The Clinch Ruby client's test requests, byte for byte (its access id and secret configured): they sign
    ``/v1/candidates``, which the mock accepts beside the wire's ``/clinch/v1/candidates``."""
    from mockservers.clinch.settings import ClinchSettings

    ruby = make_app(Settings().replace(clinch=ClinchSettings(access_id="access_id", secret="secret")))
    ruby.platform.clock.freeze()
    ruby.platform.clock.set(calendar.timegm((2014, 1, 1, 1, 1, 1)))
    headers = {"Accept": JSON_API, "Content-Type": JSON_API, "Date": "Wed, 01 Jan 2014 01:01:01 GMT"}
    body = (
        b'{"data":{"type":"candidates","attributes":{"first_name":"Steve","last_name":"Jobs",'
        b'"email":"steve.jobs@example.com"}}}'
    )
    with in_process_client(ruby) as http:
        post = http.post(
            "/clinch/v1/candidates",
            content=body,
            headers={
                **headers,
                "Content-MD5": "BHelHgS90QHICtQEYCK1CA==",
                "Authorization": "APIAuth access_id:GpqVWbyL6re9hA4PVFciK9JGXtE=",
            },
        )
        get = http.get(
            "/clinch/v1/candidates",
            headers={
                **headers,
                "Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg==",
                "Authorization": "APIAuth access_id:BNBb+1TD1ZW2v2KInKm0EtDCrdg=",
            },
        )
    assert (post.status_code, post.json()["data"]["attributes"]["name"]) == (201, "Steve Jobs")
    assert (get.status_code, [c["attributes"]["email"] for c in get.json()["data"]]) == (
        200,
        ["steve.jobs@example.com"],
    )


def test_served_alone_at_the_root_the_uri_is_v1(app: Any) -> None:
    root = make_app(Settings().with_server(vendor="clinch", public_url="http://testserver"))
    with in_process_client(root) as http:
        local = Clinch(http, root, prefix="/v1")
        candidate = local.create()
        assert candidate["links"]["self"] == f"http://testserver/v1/candidates/{candidate['id']}"
        assert local.call("GET", "/openapi").json()["servers"] == [{"url": "http://testserver/v1"}]


def test_journaled_with_the_operation_and_every_signature_header_redacted(clinch: Clinch, admin: AdminClient) -> None:
    clinch.call(
        "GET", "/candidates/nope", headers={"X-HMAC-Authorization": "APIAuth a:b", "X-Authorization": "APIAuth a:b"}
    )
    [entry] = admin.requests(vendor="clinch")
    headers = entry["request"]["headers"]
    assert (entry["operation"], entry["response"]) == (
        "getCandidate",
        {"status": 401, "errorCode": "unknown_access_id"},
    )
    assert (headers["authorization"], headers["x-hmac-authorization"], headers["x-authorization"]) == (
        "[redacted]",
    ) * 3


def test_the_account_time_zone_is_configurable_and_checked() -> None:
    from mockservers.clinch.settings import ClinchSettings
    from mockservers.config import ConfigError

    london = make_app(Settings().replace(clinch=ClinchSettings(time_zone="Europe/London")))
    london.platform.clock.freeze()
    london.platform.clock.set(1_720_000_000)
    with in_process_client(london) as http:
        created = Clinch(http, london).create()["attributes"]["created_at"]
    assert (created["local"], created["local_epoch"], created["utc"]) == (
        "2024-07-03T10:46:40+01:00",
        1_720_003_600,
        "2024-07-03T09:46:40Z",
    )
    with pytest.raises(ConfigError, match=r"clinch\.time_zone: 'Mars/Olympus' is not an IANA time zone"):
        make_app(Settings().replace(clinch=ClinchSettings(time_zone="Mars/Olympus")))


def test_accept_is_not_negotiated(clinch: Clinch) -> None:
    """JSON:API 1.0 would answer 406 to an Accept whose JSON:API media types all have parameters; the mock
    (like a Rails app that takes application/json) answers the document whatever Accept says."""
    for accept in ("application/vnd.api+json; ext=bulk", "text/html", "*/*"):
        assert clinch.ok("GET", "/candidates", headers={"Accept": accept})["meta"]["record_count"] == 0


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("include=%FF", "Invalid query parameters: Invalid encoding for parameter: \ufffd"),
        ("filter[email][eq]=a%E2%82", "Invalid query parameters: Invalid encoding for parameter: a\ufffd"),
        ("%FF=1", "Invalid query parameters: Invalid encoding for parameter: \ufffd"),
        ("page=%G1", "Invalid query parameters: invalid %-encoding (%G1)"),
        ("page=1&per_page=5%", "Invalid query parameters: invalid %-encoding (5%)"),
    ],
)
def test_a_query_rails_cannot_read_is_a_400_before_the_signature(clinch: Clinch, query: str, detail: str) -> None:
    """Rails' ``Request#GET``: Rack's invalid %-encoding, or a name or value that is not UTF-8 once decoded
    (``check_param_encoding``), is ``ActionController::BadRequest`` "Invalid query parameters: ...", and Rails
    reads the parameters before the controller's callbacks, so an unsigned request gets the same 400."""
    for signed in (True, False):
        response = clinch.http.get(f"/clinch/v1/candidates?{query}")
        if signed:
            request = clinch.http.build_request("GET", f"/clinch/v1/candidates?{query}")
            clinch.auth.sign(request)
            response = clinch.http.send(request)
        assert (response.status_code, response.json()) == (
            400,
            error(400, "invalid_query_parameters", "Bad request", detail),
        )
