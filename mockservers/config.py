"""Settings: built-in defaults, overridden by a TOML file and then by ``ATSMOCK_*`` variables.

Every value has a default, so ``atsmock serve`` needs no file. Invalid input raises
``ConfigError`` naming the offending key; the CLI prints it on one line and exits 2.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

VENDOR_NAMES: tuple[str, ...] = ("pageup", "ashby", "wttj", "clinch", "endorsed")


class ConfigError(Exception):
    """A configuration value is wrong; ``key`` names it as the user wrote it."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"invalid config {key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    """Base of every absolute URL the mock hands out; empty means the bound address."""
    admin_token: str = ""
    journal_size: int = 1000
    vendor: str = ""
    """Serve only this vendor, at the root path."""


@dataclass(frozen=True)
class S3Settings:
    access_key: str = "AKIAATSMOCKLOCALS3ID"
    secret_key: str = "atsmock-s3-secret-key"
    endpoint: str = ""
    """External S3-compatible store; empty means the embedded moto store."""
    endpoint_access_key: str = "test"
    endpoint_secret_key: str = "test"
    endpoint_region: str = "us-east-1"


@dataclass(frozen=True)
class PageUpClient:
    client_id: str
    client_secret: str
    tenant: str
    scopes: tuple[str, ...]


_READ_WRITE = ("Public.Document.Read", "Public.Document.Write")


@dataclass(frozen=True)
class PageUpSettings:
    clients: tuple[PageUpClient, ...] = (
        PageUpClient("atsmock-pageup", "atsmock-pageup-secret", "218", _READ_WRITE),
        PageUpClient("atsmock-pageup-readonly", "atsmock-pageup-readonly-secret", "218", ("Public.Document.Read",)),
        PageUpClient("atsmock-pageup-219", "atsmock-pageup-219-secret", "219", _READ_WRITE),
    )
    region: str = "ap-southeast-2"
    token_ttl_seconds: int = 300
    daily_quota: int = 0
    """Requests per client per mock-clock UTC day; 0 turns the quota off."""
    max_file_size: int = 50 * 1024 * 1024
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Extra document category names per tenant, beyond the system categories."""


@dataclass(frozen=True)
class AshbyKey:
    api_key: str
    permissions: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True)
class AshbySettings:
    api_keys: tuple[AshbyKey, ...] = (
        AshbyKey("atsmock-ashby", ("candidatesRead", "candidatesWrite")),
        AshbyKey("atsmock-ashby-readonly", ("candidatesRead",)),
        AshbyKey("atsmock-ashby-jobboard", ("jobsRead", "candidatesWrite")),
    )
    """The issue's two keys, plus a job-board key (as Ashby's "Job Board" keys) so the seeded postings
    can be read with the defaults: neither of the other two has ``jobsRead``."""
    region: str = "us-east-1"
    max_content_length: int = 100 * 1024 * 1024
    """Largest ``contentLength`` a file upload handle accepts, and the largest deprecated multipart file."""
    upload_ttl_seconds: int = 600
    """Lifetime of a presigned upload URL (Ashby: 10 minutes)."""
    handle_ttl_seconds: int = 24 * 3600
    """How long an upload handle can be attached after it was created (inferred; Ashby does not say)."""
    download_ttl_seconds: int = 300
    """Lifetime of the download URL ``file.info`` answers (inferred; Ashby says only "short-lived")."""


@dataclass(frozen=True)
class BearerToken:
    token: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class WttjSettings:
    tokens: tuple[BearerToken, ...] = (
        BearerToken("atsmock-wttj", ("documents_r", "documents_rw", "candidates_r", "candidates_rw")),
        BearerToken("atsmock-wttj-readonly", ("documents_r", "candidates_r")),
    )


@dataclass(frozen=True)
class ClinchSettings:
    access_id: str = "atsmock-clinch"
    secret: str = "atsmock-clinch-secret"


@dataclass(frozen=True)
class EndorsedClient:
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class EndorsedSettings:
    clients: tuple[EndorsedClient, ...] = (
        EndorsedClient("00000000-0000-4000-8000-000000000001", "atsmock-endorsed-secret", ("all:read", "all:write")),
        EndorsedClient("00000000-0000-4000-8000-000000000002", "atsmock-endorsed-readonly-secret", ("all:read",)),
    )


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = ServerSettings()
    s3: S3Settings = S3Settings()
    pageup: PageUpSettings = PageUpSettings()
    ashby: AshbySettings = AshbySettings()
    wttj: WttjSettings = WttjSettings()
    clinch: ClinchSettings = ClinchSettings()
    endorsed: EndorsedSettings = EndorsedSettings()

    def with_server(self, **changes: Any) -> Settings:
        """A copy with server settings changed (used for CLI flags, which win over everything)."""
        return dataclasses.replace(self, server=dataclasses.replace(self.server, **changes))

    @property
    def base_url(self) -> str:
        """The public base URL: ``public_url`` if set, else the bound address."""
        if self.server.public_url:
            return self.server.public_url.rstrip("/")
        host = self.server.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.server.port}"


def load_settings(path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file at ``path`` (if any), then ``ATSMOCK_<SECTION>_<KEY>`` variables."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            with Path(path).open("rb") as f:
                data = tomllib.load(f)
        except FileNotFoundError:
            raise ConfigError("--config", f"no such file: {path}") from None
        except OSError as e:  # a directory, no permission...
            raise ConfigError("--config", f"cannot read {path} ({e.strerror or e})") from None
        except UnicodeDecodeError:
            raise ConfigError("--config", f"{path} is not valid TOML (not UTF-8 text)") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError("--config", f"{path} is not valid TOML ({e})") from None
    env = os.environ if environ is None else environ
    for name, raw in env.items():
        if not name.startswith("ATSMOCK_") or name == "ATSMOCK_CONFIG":
            continue
        section, _, key = name[len("ATSMOCK_") :].lower().partition("_")
        if not key:
            raise ConfigError(name, "expected ATSMOCK_<SECTION>_<KEY>")
        if section not in _SECTIONS:
            raise ConfigError(name, "unknown key")
        data.setdefault(section, {})
        if not isinstance(data[section], dict):
            raise ConfigError(name, f"section {section} is not a table")
        data[section][key] = _EnvValue(name, raw)
    settings: Settings = _build(Settings, data, "")
    return settings


_SECTIONS = frozenset(f.name for f in dataclasses.fields(Settings))


@dataclass(frozen=True)
class _EnvValue:
    """A raw string from the environment, parsed by the type of the field it lands in."""

    name: str
    raw: str


def _build(cls: Any, data: Any, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(prefix.rstrip(".") or "config", "expected a table")
    hints = get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in data:
        if key not in names:
            shown = data[key].name if isinstance(data[key], _EnvValue) else f"{prefix}{key}"
            raise ConfigError(shown, "unknown key")
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{prefix}{f.name}")
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise ConfigError(prefix.rstrip(".") or "config", str(e)) from None


def _convert(tp: Any, value: Any, key: str) -> Any:
    if isinstance(value, _EnvValue):
        key = value.name
        value = _parse_env(tp, value)
    origin = getattr(tp, "__origin__", None)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, key + ".")
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, "expected true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, "expected an integer")
        if value < 0:
            raise ConfigError(key, "must not be negative")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, "expected a number")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(key, "expected a string")
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigError(key, "expected an array")
        item = tp.__args__[0]
        return tuple(_convert(item, v, f"{key}[{i}]") for i, v in enumerate(value))
    if origin is Mapping or origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(key, "expected a table")
        _, vt = tp.__args__
        return {str(k): _convert(vt, v, f"{key}.{k}") for k, v in value.items()}
    raise ConfigError(key, f"unsupported type {tp}")  # pragma: no cover - a programming error


def _parse_env(tp: Any, value: _EnvValue) -> Any:
    raw = value.raw
    if tp is bool:
        low = raw.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(value.name, "expected true or false")
    if tp is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(value.name, "expected an integer") from None
    if tp is float:
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(value.name, "expected a number") from None
    if tp is str:
        return raw
    raise ConfigError(value.name, "cannot be set from the environment; use the TOML file")
