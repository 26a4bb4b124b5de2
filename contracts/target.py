"""Where a contract suite sends its requests: an embedded app in process, or any base URL.

A ``Target`` is a vendor's root URL plus, in process, the ASGI app that answers it. Schemathesis
takes both as ``call`` arguments (``call_kwargs``); the auth's token requests go through
``post_form``, to the same base URL and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from mockservers.testing import in_process_client


@dataclass(frozen=True)
class Target:
    """A vendor's root URL (``http://testserver/pageup`` in process) and the app behind it, if embedded."""

    base_url: str
    app: Any | None = None
    timeout: float = 30.0

    @property
    def embedded(self) -> bool:
        return self.app is not None

    def client(self) -> httpx.Client:
        """An httpx client on the target (in process when embedded)."""
        if self.app is not None:
            return in_process_client(self.app, base_url=self.base_url)
        return httpx.Client(base_url=self.base_url, timeout=self.timeout)

    def post_form(self, path: str, form: Mapping[str, str]) -> Mapping[str, Any]:
        """POST ``form`` to ``path`` under the base URL; the JSON answer (raises on non-2xx)."""
        with self.client() as http:
            response = http.post(self.base_url.rstrip("/") + path, data=dict(form))
            response.raise_for_status()
            answer = response.json()
        if not isinstance(answer, dict):
            raise ValueError(f"{path} answered {type(answer).__name__}, not an object")
        return answer

    def call_kwargs(self) -> dict[str, Any]:
        """What ``case.call`` / ``call_and_validate`` take to reach this target."""
        kwargs: dict[str, Any] = {"base_url": self.base_url}
        if self.app is not None:
            kwargs["app"] = self.app
        return kwargs
