"""The ``atsmock`` command: ``serve`` every mock, print ``credentials``."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from typing import Any

from mockservers.config import ConfigError, ListenError, Settings, load_settings
from mockservers.core.logs import FORMATS
from mockservers.core.state import StateError
from mockservers.core.vendor import Vendor
from mockservers.vendors import registered

VERSION = "0.1.0"


def main(argv: Sequence[str] | None = None, *, vendors: Sequence[Vendor] | None = None) -> int:
    """The command line; ``vendors`` replaces the registry (a test's throwaway vendor)."""
    known = tuple(registered() if vendors is None else vendors)
    parser, commands = _parser(known)
    args, extra = parser.parse_known_args(argv)
    command = getattr(args, "command", None)
    if extra:
        # The command's own usage, not the top-level one: "atsmock serve --prot 1" is a serve mistake.
        (commands[command] if command else parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if not command:
        parser.print_help()
        return 2
    if command == "demo":
        problem = _target_problem(args.base_url, None)
        if problem is not None:
            commands["demo"].error(problem)
    if command == "contract":
        return _contract(args, known, commands["contract"])
    try:
        settings = _settings(args, known)
        if args.command == "credentials":
            sys.stdout.write(credentials_table(settings, known))
            return 0
        if args.command == "demo":
            return _demo(settings, known, args.vendor, args.base_url)
        return _serve(settings, known)
    except (ConfigError, ListenError, StateError) as exc:
        print(f"atsmock: {exc}", file=sys.stderr)
        return 2


def _parser(vendors: Sequence[Vendor]) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(prog="atsmock", description="Faithful local mocks of ATS document/file APIs.")
    parser.add_argument("--version", action="version", version=f"atsmock {VERSION}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve every vendor, the embedded S3 and the admin API")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 8000; 0 picks a free one)")
    serve.add_argument("--config", help="TOML file overriding the defaults (also ATSMOCK_CONFIG)")
    served = ", ".join(v.name for v in vendors if not v.planned)
    serve.add_argument("--vendor", help=f"serve only this vendor, at the root path ({served})")
    serve.add_argument("--public-url", help="base of the absolute URLs handed out (default: the bound address)")
    serve.add_argument("--admin-token", help="require 'Authorization: Bearer TOKEN' on /__admin")
    serve.add_argument(
        "--log-format", choices=FORMATS, help="one line per request on stderr: text (default), json, or off"
    )
    serve.add_argument(
        "--state-dir", help="keep state and uploaded objects in this directory across restarts (default: memory only)"
    )
    serve.add_argument("--s3-endpoint", help="external S3-compatible store instead of the embedded moto")
    serve.add_argument("--s3-endpoint-access-key", help="access key for --s3-endpoint")
    serve.add_argument("--s3-endpoint-secret-key", help="secret key for --s3-endpoint")
    serve.add_argument("--s3-endpoint-region", help="region for --s3-endpoint")
    creds = sub.add_parser("credentials", help="print the active credentials as a table")
    creds.add_argument("--config", help="TOML file overriding the defaults (also ATSMOCK_CONFIG)")
    demo = sub.add_parser("demo", help="run every vendor's document workflow through its reference client")
    demo.add_argument("--vendor", help=f"only this vendor ({served})")
    demo.add_argument("--base-url", help="a running atsmock's root URL (default: start an embedded one)")
    demo.add_argument("--config", help="TOML file with the credentials to use (also ATSMOCK_CONFIG)")
    contract = sub.add_parser("contract", help="run the contract suites against an embedded mock or a base URL")
    contract.add_argument("--vendor", help=f"only this vendor ({served}); --base-url is then its API root")
    contract.add_argument(
        "--base-url", help="an atsmock root, or with --vendor a vendor's API root (default: embedded)"
    )
    contract.add_argument("--credentials", help="TOML file, one table per vendor with the fields its auth needs")
    contract.add_argument(
        "--max-examples",
        type=int,
        default=None,
        help="generated cases per operation and mode (default 10, or the HYPOTHESIS_PROFILE's under pytest)",
    )
    contract.add_argument("--report", help="write JUnit XML here")
    contract.add_argument("--check", action="append", help="run only this check (repeatable; default: all 11)")
    return parser, {"serve": serve, "credentials": creds, "demo": demo, "contract": contract}


def missing_contract_dependency() -> str | None:
    """The first package the contract suites need that is not installed (they are an extra), else None."""
    import importlib.util

    for name in ("schemathesis", "hypothesis"):
        if importlib.util.find_spec(name) is None:
            return name
    return None


def _contract(args: argparse.Namespace, vendors: Sequence[Vendor], usage: argparse.ArgumentParser) -> int:
    """``atsmock contract``: the suites are imported here, lazily (schemathesis is heavy)."""
    missing = missing_contract_dependency()
    if missing is not None:
        print(
            f"atsmock contract needs {missing}, which a plain install leaves out: "
            "python3 -m pip install 'atsmock[contract]' (or '.[contract]' in a checkout)",
            file=sys.stderr,
        )
        return 2
    from contracts import runner
    from contracts.checks import NAMES

    names = [v.name for v in vendors if not v.planned]
    if args.vendor is not None and args.vendor not in names:
        usage.error(f"unknown vendor {args.vendor!r} (choose from {', '.join(names)})")
    unknown = [c for c in args.check or () if c not in NAMES]
    if unknown:
        usage.error(f"unknown check {unknown[0]!r} (choose from {', '.join(NAMES)})")
    if args.max_examples is not None and args.max_examples < 1:
        usage.error("--max-examples must be at least 1")
    problem = _target_problem(args.base_url, args.report)
    if problem is not None:
        usage.error(problem)  # before the run: a nightly run should not end on a report it cannot write
    try:
        return runner.run(
            [args.vendor] if args.vendor else names,
            base_url=args.base_url,
            single=args.vendor is not None,
            credentials=args.credentials,
            max_examples=args.max_examples,
            junit=args.report,
            checks=args.check or NAMES,
        )
    except ValueError as exc:
        print(f"atsmock: {exc}", file=sys.stderr)
        return 2


def _target_problem(base_url: str | None, report: str | None) -> str | None:
    """What is wrong with ``--base-url`` (an http(s) URL with a host) or ``--report`` (in a directory that
    exists), else None."""
    from pathlib import Path
    from urllib.parse import urlsplit

    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return f"--base-url must be an http:// or https:// URL, not {base_url!r}"
    if report is not None and not Path(report).parent.is_dir():
        return f"--report: no directory {Path(report).parent}"
    if report is not None and Path(report).is_dir():
        return f"--report: {report} is a directory, not a file"
    return None


def _settings(args: argparse.Namespace, vendors: Sequence[Vendor]) -> Settings:
    settings = load_settings(args.config or os.environ.get("ATSMOCK_CONFIG") or None, registry=vendors)
    if args.command != "serve":
        return settings
    server: dict[str, Any] = {}
    for flag, key in (("host", "host"), ("port", "port"), ("vendor", "vendor"), ("public_url", "public_url")):
        value = getattr(args, flag)
        if value is not None:
            server[key] = value
    if args.admin_token is not None:
        server["admin_token"] = args.admin_token
    if args.log_format is not None:
        server["log_format"] = args.log_format
    if args.state_dir is not None:
        server["state_dir"] = args.state_dir
    settings = settings.with_server(**server)
    s3: dict[str, Any] = {}
    for flag in ("s3_endpoint", "s3_endpoint_access_key", "s3_endpoint_secret_key", "s3_endpoint_region"):
        value = getattr(args, flag)
        if value is not None:
            s3[flag.removeprefix("s3_")] = value
    if s3:
        settings = settings.replace(s3=dataclasses.replace(settings.s3, **s3))
    _check(settings, vendors)
    return settings


def _check(settings: Settings, vendors: Sequence[Vendor]) -> None:
    server = settings.server
    if not server.host.strip():
        # An empty host would bind every interface: never by accident (an empty ${VAR:-} in a compose file).
        raise ConfigError("server.host", "must not be empty (0.0.0.0 listens on every interface)")
    if not 0 <= server.port <= 65535:
        raise ConfigError("server.port", f"{server.port} is not a TCP port (0..65535)")
    names = [v.name for v in vendors]
    if server.vendor and server.vendor not in names:
        raise ConfigError("--vendor", f"'{server.vendor}' is not a vendor ({', '.join(names)})")
    if server.log_format not in FORMATS:
        raise ConfigError("server.log_format", f"'{server.log_format}' is not one of {', '.join(FORMATS)}")
    if server.public_url and not server.public_url.startswith(("http://", "https://")):
        raise ConfigError("server.public_url", f"'{server.public_url}' must start with http:// or https://")
    if settings.s3.endpoint and not settings.s3.endpoint.startswith(("http://", "https://")):
        raise ConfigError("s3.endpoint", f"'{settings.s3.endpoint}' must start with http:// or https://")


def _serve(settings: Settings, vendors: Sequence[Vendor]) -> int:
    from mockservers.core.logs import configure
    from mockservers.server import serve

    configure(settings.server.log_format)

    def announce(app: Any) -> None:
        platform = app.platform
        base = platform.base_url
        bound = _bound_url(platform.settings)  # the port actually bound (``--port 0`` picks one)
        shown = bound if bound == base else f"{bound} (public URL {base})"
        lines = [f"atsmock {VERSION} listening on {shown}"]
        for name in platform.vendors:
            lines.append(f"  {name:<9} {platform.vendor_url(name)}")
        lines.append(f"  {'s3':<9} {base}/s3" + (f" (store: {settings.s3.endpoint})" if settings.s3.endpoint else ""))
        lines.append(f"  {'admin':<9} {base}/__admin")
        if settings.server.state_dir:
            lines.append(f"  {'state':<9} {os.path.abspath(settings.server.state_dir)}")
        lines.append("Press Ctrl-C to stop.")
        warning = exposed_admin_warning(platform.settings)
        if warning is not None:
            print(warning, file=sys.stderr, flush=True)
        print("\n".join(lines), flush=True)

    serve(settings, announce, vendors=vendors)
    return 0


def exposed_admin_warning(settings: Settings) -> str | None:
    """The one stderr line ``serve`` prints when the admin API is open to more than this machine: a host
    that is not loopback and no admin token (``--admin-token``, ``ATSMOCK_SERVER_ADMIN_TOKEN``)."""
    server = settings.server
    if server.admin_token or _is_loopback(server.host):
        return None
    return (
        f"atsmock: warning: listening on {server.host} with no admin token: anyone who can reach port "
        f"{server.port} can reset state, schedule faults and read the journal; "
        "set one with --admin-token or ATSMOCK_SERVER_ADMIN_TOKEN"
    )


def _is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and ``localhost``; any other name may resolve to an address others reach."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


NOT_SERVED = " (not served yet)"
"""What ``credentials`` adds to the grants of a planned vendor's rows."""


def _demo(settings: Settings, vendors: Sequence[Vendor], only: str | None, base_url: str | None) -> int:
    """Each chosen vendor's workflow against ``base_url`` (or an embedded server); 0 only if all of it worked."""
    from contextlib import ExitStack

    from mockservers.core.demo import run_demo

    chosen = [v for v in vendors if not v.planned and v.demo is not None and (only is None or v.name == only)]
    if only is not None and not chosen:
        names = ", ".join(v.name for v in vendors if not v.planned and v.demo is not None)
        raise ConfigError("--vendor", f"'{only}' has no demo here (available: {names})")
    with ExitStack() as stack:
        if base_url is None:
            from mockservers.testing import running

            root = stack.enter_context(running(settings, vendors=vendors)).url
            print(f"atsmock {VERSION} demo against an embedded server at {root}", flush=True)
        else:
            root = base_url.rstrip("/")
            print(f"atsmock {VERSION} demo against {root}", flush=True)
        runs = [run_demo(v, settings.vendor(v.name), f"{root}/{v.name}", sys.stdout) for v in chosen]
    failed = [r.vendor for r in runs if not r.ok]
    steps = sum(len(r.steps) for r in runs)
    if failed:
        print(f"FAILED: {', '.join(failed)} ({steps} steps)")
        return 1
    print(f"every downloaded file equals what was uploaded ({len(runs)} vendors, {steps} steps)")
    return 0


def _bound_url(settings: Settings) -> str:
    """The address the server actually listens on (``--host``, the bound port), as a URL."""
    host = settings.server.host
    return f"http://{f'[{host}]' if ':' in host else host}:{settings.server.port}"


def credentials_table(settings: Settings, vendors: Sequence[Vendor] | None = None) -> str:
    """The active credentials, one row each: vendor, kind, identifier, secret, grants (registry order)."""
    rows: list[tuple[str, str, str, str, str]] = []
    for vendor in registered() if vendors is None else vendors:
        suffix = NOT_SERVED if vendor.planned else ""
        for c in vendor.credentials(settings.vendor(vendor.name)):
            rows.append((vendor.name, c.kind, c.id, c.secret, c.grants + suffix))
    rows.append(("s3", "access key", settings.s3.access_key, settings.s3.secret_key, "presigning (mock)"))
    header = ("vendor", "credential", "id", "secret", "grants")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    out = []
    for row in [header, tuple("-" * w for w in widths), *rows]:
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
