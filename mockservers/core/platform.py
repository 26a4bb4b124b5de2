"""The Platform: the one state store, clock, journal, fault plan, token issuer and S3 every vendor shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from mockservers.config import Settings
from mockservers.core.clock import Clock
from mockservers.core.faults import FaultPlan
from mockservers.core.fetch import Fetcher
from mockservers.core.journal import Journal
from mockservers.core.state import StateStore, open_state
from mockservers.core.tokens import TokenIssuer
from mockservers.core.vendor import Vendor, VendorMount

if TYPE_CHECKING:
    from mockservers.s3 import S3Service


class Platform:
    """State shared by one app; a fresh Platform per test costs next to nothing."""

    def __init__(self, settings: Settings, vendors: Iterable[Vendor] = ()) -> None:
        """``vendors`` are the known vendors (served or planned): the journal redacts every header any of
        them treats as a secret."""
        from mockservers.s3 import S3Service

        vendors = tuple(vendors)
        self.settings = settings
        self.known: dict[str, Vendor] = {v.name: v for v in vendors}
        """Every vendor the app knows, served or planned, by name (the admin API shows their titles)."""
        self.on_shutdown: list[Callable[[], None]] = []
        """Run by ``shutdown``: what must end before the server waits for open responses (admin event streams)."""
        self.state: StateStore = open_state(settings.server.state_dir)
        """Where every model keeps its records: in memory, or durable in ``--state-dir`` (``core/state.py``)."""
        try:
            self.clock = Clock(self.state.cell("clock", None) if self.state.durable else None)
            secret_headers = frozenset().union(*(v.secret_headers for v in self.known.values()))
            self.journal = Journal(settings.server.journal_size, secret_headers)
            self.faults = FaultPlan(self.state)
            self.tokens = TokenIssuer(self.clock, self.state)
            self.fetcher = Fetcher(settings.fetch)
            """The one safe fetcher for the URLs users hand vendors (remote file URLs)."""
            self.s3: S3Service = S3Service(settings.s3, self.clock, self.base_url, self.state)
            self.faults.register_target("s3", _S3_OPERATIONS, self.s3.scenarios)
            self.vendors: dict[str, VendorMount] = {}
        except BaseException:
            self.state.close()  # a start that failed (a damaged state dir) must not keep the directory locked
            raise

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def vendor_url(self, name: str) -> str:
        """The vendor's public base URL: under its prefix, or the root in single-vendor mode."""
        if self.settings.server.vendor == name:
            return self.base_url
        return f"{self.base_url}/{name}"

    def api_url(self, name: str) -> str:
        """The base URL a connector is configured with for the vendor: its ``vendor_url`` plus ``Vendor.api_path``."""
        return self.vendor_url(name) + self.known[name].api_path

    def add_vendor(self, mount: VendorMount) -> None:
        self.vendors[mount.name] = mount
        self.faults.register_target(mount.name, mount.operations.names, mount.scenarios, mount.operations.aliases)

    def reset(self, vendor: str | None = None) -> None:
        """Wipe state: everything (clock included), or one vendor's documents, tokens, journal and faults.

        With a state dir the wiped records leave the disk too: object files are unlinked and the
        database is compacted after a full reset.
        """
        if vendor is None:
            self.clock.reset()
            self.journal.clear()
            self.faults.clear()
            self.tokens.forget()
            self.s3.reset()
            for mount in self.vendors.values():
                mount.reset()
            self.state.compact()
            return
        if vendor == "s3":
            self.s3.reset()
        else:
            self.vendors[vendor].reset()
            self.tokens.forget(vendor)
        self.journal.clear(vendor)
        self.faults.clear(vendor)

    def shutdown(self) -> None:
        """The server starts to stop: end what would otherwise hold it up (uvicorn tells a response that is still
        streaming nothing, and waits for it until its graceful-shutdown timeout)."""
        for stop in self.on_shutdown:
            stop()

    def close(self) -> None:
        """Release the state directory (a restart in the same process opens it again)."""
        self.state.close()

    async def ready(self) -> dict[str, bool]:
        """Whether each mounted vendor and S3 can answer (the health check)."""
        state = {name: bool(mount.ready()) for name, mount in self.vendors.items()}
        state["s3"] = bool(await self.s3.ready())
        return state


_S3_OPERATIONS = ("put_object", "post_object", "get_object", "head_object", "delete_object")
