"""Settings: built-in defaults, overridden by a TOML file and then by ``ATSMOCK_*`` variables.

Every value has a default, so ``atsmock serve`` needs no file. Invalid input raises
``ConfigError`` naming the offending key; the CLI prints it on one line and exits 2.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, get_type_hints

from mockservers.core.fetch import FetchPolicy
from mockservers.vendors import registered

if TYPE_CHECKING:
    from mockservers.core.vendor import Vendor


class ConfigError(Exception):
    """A configuration value is wrong; ``key`` names it as the user wrote it."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"invalid config {key}: {problem}")
        self.key = key
        self.problem = problem


class ListenError(Exception):
    """The server cannot listen where it was asked to (a busy port, an address not on this machine)."""


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
    log_format: str = "text"
    """One line per request on stderr: ``text`` (human-readable), ``json``, or ``off``."""
    state_dir: str = ""
    """Keep every vendor's state, the objects' bytes, the clock and the faults here, across restarts
    (docs/persistence.md); empty keeps everything in memory and writes nothing."""


@dataclass(frozen=True)
class S3Settings:
    access_key: str = "AKIAATSMOCKLOCALS3ID"
    secret_key: str = "atsmock-s3-secret-key"
    endpoint: str = ""
    """External S3-compatible store; empty means the embedded moto store."""
    endpoint_access_key: str = "test"
    endpoint_secret_key: str = "test"
    endpoint_region: str = "us-east-1"
    max_stored_bytes: int = 2 * 1024**3
    max_objects: int = 100_000
    """What the embedded store (in memory or under the state dir) holds at most; a client's PUT or POST past
    either is 403 ``QuotaExceeded`` (``s3/budget.py``). Not applied to an external ``endpoint``."""


class Settings:
    """Server, S3 and fetch settings, plus one settings object per registered vendor (``settings.pageup``...).

    ``Settings(pageup=PageUpSettings(...))`` replaces one vendor's settings; every vendor not
    named gets its defaults from the registry. ``vendors`` maps each vendor name to its settings.
    """

    __slots__ = ("fetch", "s3", "server", "vendors")

    server: ServerSettings
    s3: S3Settings
    fetch: FetchPolicy
    """What vendors that download a user's URL may reach (``[fetch]``; ``core/fetch.py``)."""
    vendors: Mapping[str, Any]

    def __init__(
        self,
        server: ServerSettings = ServerSettings(),
        s3: S3Settings = S3Settings(),
        vendors: Mapping[str, Any] | None = None,
        *,
        fetch: FetchPolicy = FetchPolicy(),  # noqa: B008
        registry: Sequence[Vendor] | None = None,
        **sections: Any,
    ) -> None:
        known = {v.name: v for v in (registered() if registry is None else registry)}
        chosen: dict[str, Any] = {}
        for name, value in {**(vendors or {}), **sections}.items():
            if name not in known and not dataclasses.is_dataclass(value):
                raise TypeError(f"unknown vendor settings {name!r}")
            chosen[name] = value
        merged = {name: chosen.pop(name) if name in chosen else v.settings() for name, v in known.items()}
        merged.update(chosen)  # settings of a vendor outside the registry (a test's throwaway vendor)
        object.__setattr__(self, "server", server)
        object.__setattr__(self, "s3", s3)
        object.__setattr__(self, "fetch", fetch)
        object.__setattr__(self, "vendors", MappingProxyType(merged))

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __getattr__(self, name: str) -> Any:
        # Only called when normal look-up fails: a vendor's section, by the vendor's name.
        if not name.startswith("_"):
            try:
                return self.vendors[name]
            except (KeyError, AttributeError):
                pass
        raise AttributeError(name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settings):
            return NotImplemented
        mine = (self.server, self.s3, self.fetch, dict(self.vendors))
        return mine == (other.server, other.s3, other.fetch, dict(other.vendors))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Settings(server={self.server!r}, s3={self.s3!r}, fetch={self.fetch!r}, vendors={dict(self.vendors)!r})"

    def vendor(self, name: str) -> Any:
        """One vendor's settings; ``KeyError`` for a name it has none for."""
        return self.vendors[name]

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``server``, ``s3``, ``fetch`` or any vendor's settings replaced."""
        server = changes.pop("server", self.server)
        s3 = changes.pop("s3", self.s3)
        fetch = changes.pop("fetch", self.fetch)
        return Settings(server, s3, {**self.vendors, **changes}, fetch=fetch, registry=())

    def with_server(self, **changes: Any) -> Settings:
        """A copy with server settings changed (used for CLI flags, which win over everything)."""
        return self.replace(server=dataclasses.replace(self.server, **changes))

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


def load_settings(
    path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    registry: Sequence[Vendor] | None = None,
) -> Settings:
    """Defaults, then the TOML file at ``path`` (if any), then ``ATSMOCK_<SECTION>_<KEY>`` variables.

    The sections are ``server``, ``s3`` and one per vendor of ``registry`` (the registered vendors
    by default), each built from that vendor's settings dataclass.
    """
    vendors = tuple(registered() if registry is None else registry)
    types: dict[str, Any] = {
        "server": ServerSettings,
        "s3": S3Settings,
        "fetch": FetchPolicy,
        **{v.name: v.settings for v in vendors},
    }
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
        if section not in types:
            raise ConfigError(name, "unknown key")
        data.setdefault(section, {})
        if not isinstance(data[section], dict):
            raise ConfigError(name, f"section {section} is not a table")
        data[section][key] = _EnvValue(name, raw)
    for key in data:
        if key not in types:
            raise ConfigError(key, "unknown key")
    built = {name: _build(types[name], data[name], f"{name}.") for name in data}
    server = built.pop("server", ServerSettings())
    s3 = built.pop("s3", S3Settings())
    fetch = built.pop("fetch", FetchPolicy())
    return Settings(server, s3, built, fetch=fetch, registry=vendors)


@dataclass(frozen=True)
class _EnvValue:
    """A raw string from the environment, parsed by the type of the field it lands in."""

    name: str
    raw: str


EXTRA = "extra_"
"""``extra_<list>`` appends to a list's defaults; ``<list>`` itself replaces them (``[[ashby.extra_api_keys]]``)."""


def _build(cls: Any, data: Any, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(prefix.rstrip(".") or "config", "expected a table")
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    lists = {name for name in fields if getattr(hints[name], "__origin__", None) is tuple}
    for key in data:
        if key not in fields and not (key.startswith(EXTRA) and key[len(EXTRA) :] in lists):
            shown = data[key].name if isinstance(data[key], _EnvValue) else f"{prefix}{key}"
            raise ConfigError(shown, "unknown key")
    kwargs: dict[str, Any] = {}
    for name in fields:
        if name in data:
            kwargs[name] = _convert(hints[name], data[name], f"{prefix}{name}")
        if EXTRA + name in data:
            extra = _convert(hints[name], data[EXTRA + name], f"{prefix}{EXTRA}{name}")
            kwargs[name] = (*kwargs.get(name, _default(fields[name])), *extra)
    missing = [name for name, f in fields.items() if name not in kwargs and _default(f) is _MISSING]
    if missing:
        raise ConfigError(prefix.rstrip(".") or "config", f"missing {', '.join(missing)}")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as e:  # a value the settings class itself refuses
        raise ConfigError(prefix.rstrip(".") or "config", str(e)) from None


_MISSING: Any = object()


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return _MISSING


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
    if getattr(tp, "__origin__", None) is tuple and tp.__args__[0] is str:
        return [item.strip() for item in raw.split(",") if item.strip()]  # a list of names: comma-separated
    raise ConfigError(value.name, "cannot be set from the environment; use the TOML file")
