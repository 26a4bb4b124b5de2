"""Settings: defaults (the issue's credentials), TOML, ATSMOCK_* variables, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockservers.ashby.settings import AshbyKey
from mockservers.config import ConfigError, Settings, load_settings
from mockservers.core.fetch import FetchPolicy
from mockservers.endorsed.settings import EndorsedClient
from mockservers.pageup.settings import PageUpClient
from mockservers.wttj.settings import BearerToken


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "atsmock.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_issue_credentials() -> None:
    s = load_settings(environ={})
    assert s == Settings()
    read, write_ = "Public.Document.Read", "Public.Document.Write"
    assert s.pageup.clients == (
        PageUpClient("atsmock-pageup", "atsmock-pageup-secret", "218", (read, write_)),
        PageUpClient("atsmock-pageup-readonly", "atsmock-pageup-readonly-secret", "218", (read,)),
        PageUpClient("atsmock-pageup-219", "atsmock-pageup-219-secret", "219", (read, write_)),
    )
    assert s.ashby.api_keys == (
        AshbyKey("atsmock-ashby", ("candidatesRead", "candidatesWrite")),
        AshbyKey("atsmock-ashby-readonly", ("candidatesRead",)),
        AshbyKey("atsmock-ashby-jobboard", ("jobsRead", "candidatesWrite")),
    )
    assert s.wttj.tokens == (
        BearerToken("atsmock-wttj", ("documents_r", "documents_rw", "candidates_r", "candidates_rw")),
        BearerToken("atsmock-wttj-readonly", ("documents_r", "candidates_r")),
    )
    assert (s.clinch.access_id, s.clinch.secret) == ("atsmock-clinch", "atsmock-clinch-secret")
    assert s.endorsed.clients == (
        EndorsedClient("00000000-0000-4000-8000-000000000001", "atsmock-endorsed-secret", ("all:read", "all:write")),
        EndorsedClient("00000000-0000-4000-8000-000000000002", "atsmock-endorsed-readonly-secret", ("all:read",)),
    )
    server = s.server
    assert (server.host, server.port, server.public_url, server.admin_token, server.journal_size, server.vendor) == (
        "127.0.0.1",
        8000,
        "",
        "",
        1000,
        "",
    )


def test_toml_overrides_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[server]
port = 9000
journal_size = 5
public_url = "http://mock.test:9000"

[[pageup.clients]]
client_id = "mine"
client_secret = "shh"
tenant = "300"
scopes = ["Public.Document.Read"]

[pageup.categories]
"300" = ["Offer letter"]

[[ashby.api_keys]]
api_key = "k"
permissions = ["candidatesRead"]
active = false
""",
    )
    s = load_settings(path, environ={})
    assert (s.server.port, s.server.journal_size, s.server.host) == (9000, 5, "127.0.0.1")
    assert s.pageup.clients == (PageUpClient("mine", "shh", "300", ("Public.Document.Read",)),)
    assert s.pageup.categories == {"300": ("Offer letter",)}
    assert s.ashby.api_keys == (AshbyKey("k", ("candidatesRead",), active=False),)
    assert s.wttj == Settings().wttj
    assert s.base_url == "http://mock.test:9000"


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[server]\nport = 9000\nadmin_token = 'from-file'\n")
    env = {
        "ATSMOCK_SERVER_PORT": "9100",
        "ATSMOCK_SERVER_PUBLIC_URL": "http://localhost:9100",
        "ATSMOCK_S3_ACCESS_KEY": "AKIAOTHER",
        "ATSMOCK_PAGEUP_DAILY_QUOTA": "10",
        "ATSMOCK_CONFIG": "ignored: the CLI reads it as the file path",
        "HOME": "/root",
    }
    s = load_settings(path, environ=env)
    assert (s.server.port, s.server.admin_token, s.server.public_url) == (9100, "from-file", "http://localhost:9100")
    assert (s.s3.access_key, s.pageup.daily_quota) == ("AKIAOTHER", 10)


def test_os_environ_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATSMOCK_SERVER_JOURNAL_SIZE", "7")
    assert load_settings().server.journal_size == 7


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[server]\nport = 'x'\n", "invalid config server.port: expected an integer"),
        ("[server]\nport = -1\n", "invalid config server.port: must not be negative"),
        ("[server]\nport = true\n", "invalid config server.port: expected an integer"),
        ("[server]\ncolour = 'red'\n", "invalid config server.colour: unknown key"),
        ("[nope]\nx = 1\n", "invalid config nope: unknown key"),
        ("server = 3\n", "invalid config server: expected a table"),
        ("[server]\nhost = 1\n", "invalid config server.host: expected a string"),
        ("[pageup]\nclients = 'x'\n", "invalid config pageup.clients: expected an array"),
        (
            "[[pageup.clients]]\nclient_id = 'a'\nclient_secret = 'b'\nscopes = []\n",
            "invalid config pageup.clients[0]: missing tenant",
        ),
        (
            "[[pageup.clients]]\nclient_id = 'a'\nclient_secret = 'b'\ntenant = 2\nscopes = []\n",
            "invalid config pageup.clients[0].tenant: expected a string",
        ),
        ("[pageup]\ncategories = {218 = 'x'}\n", "invalid config pageup.categories.218: expected an array"),
        (
            "[[ashby.api_keys]]\napi_key = 'k'\npermissions = []\nactive = 'no'\n",
            "invalid config ashby.api_keys[0].active: expected true or false",
        ),
    ],
)
def test_toml_errors_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, toml), environ={})
    assert str(raised.value) == message
    assert "\n" not in str(raised.value)


def test_a_missing_or_broken_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path / "absent.toml", environ={})
    assert (raised.value.key, str(raised.value)) == (
        "--config",
        f"invalid config --config: no such file: {tmp_path / 'absent.toml'}",
    )
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, "[server\n"), environ={})
    assert raised.value.key == "--config"
    assert str(raised.value).startswith(f"invalid config --config: {tmp_path / 'atsmock.toml'} is not valid TOML (")
    assert "\n" not in str(raised.value)


def test_a_directory_or_a_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, environ={})
    assert str(raised.value) == f"invalid config --config: cannot read {tmp_path} (Is a directory)"
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe[server]\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(binary, environ={})
    assert str(raised.value) == f"invalid config --config: {binary} is not valid TOML (not UTF-8 text)"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ATSMOCK_SERVER_PORT": "abc"}, "invalid config ATSMOCK_SERVER_PORT: expected an integer"),
        ({"ATSMOCK_SERVER_PORT": "-5"}, "invalid config ATSMOCK_SERVER_PORT: must not be negative"),
        ({"ATSMOCK_SERVER_COLOUR": "red"}, "invalid config ATSMOCK_SERVER_COLOUR: unknown key"),
        ({"ATSMOCK_SERVER": "x"}, "invalid config ATSMOCK_SERVER: expected ATSMOCK_<SECTION>_<KEY>"),
        ({"ATSMOCK_SERVER_": "x"}, "invalid config ATSMOCK_SERVER_: expected ATSMOCK_<SECTION>_<KEY>"),
        (
            {"ATSMOCK_PAGEUP_CLIENTS": "x"},
            "invalid config ATSMOCK_PAGEUP_CLIENTS: cannot be set from the environment; use the TOML file",
        ),
        (
            {"ATSMOCK_PAGEUP_CATEGORIES": "x"},
            "invalid config ATSMOCK_PAGEUP_CATEGORIES: cannot be set from the environment; use the TOML file",
        ),
        # The error names the variable the user set, not an internal section name.
        ({"ATSMOCK_ADMIN_TOKEN": "t"}, "invalid config ATSMOCK_ADMIN_TOKEN: unknown key"),
        ({"ATSMOCK_PUBLIC_URL": "http://x"}, "invalid config ATSMOCK_PUBLIC_URL: unknown key"),
    ],
)
def test_environment_errors_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ=env)
    assert str(raised.value) == message


def test_env_section_clashing_with_a_toml_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, "server = 3\n"), environ={"ATSMOCK_SERVER_PORT": "1"})
    assert str(raised.value) == "invalid config ATSMOCK_SERVER_PORT: section server is not a table"


@pytest.mark.parametrize(
    ("server", "url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"host": "0.0.0.0", "port": 8001}, "http://127.0.0.1:8001"),
        ({"host": "::", "port": 8002}, "http://127.0.0.1:8002"),
        ({"host": "::1", "port": 8003}, "http://[::1]:8003"),
        ({"host": "mock.local", "port": 80}, "http://mock.local:80"),
        ({"public_url": "https://mock.example.test/base/"}, "https://mock.example.test/base"),
    ],
)
def test_base_url(server: dict[str, object], url: str) -> None:
    assert Settings().with_server(**server).base_url == url


def test_fetch_section_from_the_file_and_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[fetch]\nallow_hosts = ["files", "10.1.0.0/16"]\nconnect_timeout = 2\n')
    settings = load_settings(path, environ={"ATSMOCK_FETCH_TOTAL_TIMEOUT": "12.5"})
    assert settings.fetch == FetchPolicy(allow_hosts=("files", "10.1.0.0/16"), connect_timeout=2.0, total_timeout=12.5)
    assert Settings().fetch == FetchPolicy()


def test_a_list_of_names_can_be_set_from_the_environment_comma_separated() -> None:
    settings = load_settings(environ={"ATSMOCK_FETCH_ALLOW_HOSTS": "files, minio,,*.svc.test"})
    assert settings.fetch.allow_hosts == ("files", "minio", "*.svc.test")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ATSMOCK_FETCH_TOTAL_TIMEOUT": "0"}, "invalid config fetch: total_timeout must be positive, not 0.0"),
        (
            {"ATSMOCK_FETCH_ALLOW_HOSTS": "a b"},
            "invalid config fetch: allow_hosts[0] 'a b' is not a hostname, *.suffix, IP address or network",
        ),
    ],
)
def test_a_fetch_value_the_policy_refuses_is_a_config_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ=env)
    assert str(raised.value) == message


def test_a_list_replaces_its_defaults_and_extra_adds_to_them(tmp_path: Path) -> None:
    key = 'api_key = "k"\npermissions = ["candidatesRead"]\n'
    replaced = load_settings(write(tmp_path, f"[[ashby.api_keys]]\n{key}"), environ={})
    extended = load_settings(write(tmp_path, f"[[ashby.extra_api_keys]]\n{key}"), environ={})
    mine = AshbyKey("k", ("candidatesRead",))
    assert replaced.ashby.api_keys == (mine,)
    assert extended.ashby.api_keys == (*Settings().ashby.api_keys, mine)
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, f"[[ashby.api_keys]]\n{key}[[ashby.extra_api_keys]]\n{key}"), environ={})
    assert str(raised.value) == "invalid config ashby: api_keys lists 'k' twice"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[pageup.extra_clients]]\nclient_id = "atsmock-pageup"\nclient_secret = "s"\ntenant = "1"\nscopes = []\n',
            "invalid config pageup: clients lists 'atsmock-pageup' twice",
        ),
        (
            '[[ashby.extra_api_keys]]\napi_key = "atsmock-ashby"\npermissions = []\n',
            "invalid config ashby: api_keys lists 'atsmock-ashby' twice",
        ),
        (
            '[[wttj.extra_tokens]]\ntoken = "atsmock-wttj"\nscopes = []\n',
            "invalid config wttj: tokens lists 'atsmock-wttj' twice",
        ),
        (
            '[[endorsed.extra_clients]]\nclient_id = "00000000-0000-4000-8000-000000000001"\n'
            'client_secret = "s"\nscopes = []\n',
            "invalid config endorsed: clients lists '00000000-0000-4000-8000-000000000001' twice",
        ),
    ],
    ids=["pageup", "ashby", "wttj", "endorsed"],
)
def test_a_credential_listed_twice_is_a_config_error(tmp_path: Path, toml: str, message: str) -> None:
    """An extra credential repeating a default id (or one listed twice) would silently replace the first:
    the vendor would answer with the second's secret and grants while ``atsmock credentials`` prints both.
    Clinch has one credential and no list."""
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, toml), environ={})
    assert str(raised.value) == message


def test_every_served_vendor_with_a_credential_list_refuses_a_repeat() -> None:
    """The parametrization above covers every served vendor whose settings hold a list of credentials."""
    import dataclasses

    from mockservers.vendors import served

    def lists_credentials(defaults: object) -> bool:
        values = [getattr(defaults, f.name) for f in dataclasses.fields(defaults)]  # type: ignore[arg-type]
        return any(isinstance(v, tuple) and v and dataclasses.is_dataclass(v[0]) for v in values)

    with_lists = {v.name for v in served() if lists_credentials(v.settings())}
    assert with_lists == {"pageup", "ashby", "wttj", "endorsed"}


def test_extra_names_only_lists(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, "[pageup]\nextra_daily_quota = 3\n"), environ={})
    assert str(raised.value) == "invalid config pageup.extra_daily_quota: unknown key"


def test_a_list_entry_missing_fields_names_them_by_their_toml_names(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, '[[pageup.clients]]\nclient_id = "x"\n'), environ={})
    assert str(raised.value) == "invalid config pageup.clients[0]: missing client_secret, tenant, scopes"
