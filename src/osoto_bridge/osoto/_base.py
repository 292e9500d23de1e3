"""Helpers shared by the client classes: calling, parsing, paging, batching."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from osoto_bridge.osoto.envelope import parse_page, unwrap_object
from osoto_bridge.osoto.errors import UnexpectedResponse
from osoto_bridge.osoto.fields import to_wire_value
from osoto_bridge.osoto.models import BatchResult, ItemResult, Page
from osoto_bridge.osoto.pacing import Priority
from osoto_bridge.osoto.session import ClientState, Params, Session

__all__ = ["BATCH_LIMIT", "ClientBase", "WireItem", "body_of", "parse_model", "seg", "trip_path"]

logger = logging.getLogger("osoto_bridge.osoto")

M = TypeVar("M", bound=BaseModel)

BATCH_LIMIT = 50
"""Items the server accepts in one batch request; longer batches are split."""

WireItem = Mapping[str, Any] | BaseModel
"""An item for a batch or sync: a model, or a mapping with snake_case or wire keys."""


def seg(value: str) -> str:
    """Escape one path segment (ids are opaque and could hold anything)."""
    return quote(value, safe="")


def trip_path(trip_id: str, *parts: str) -> str:
    """`/trips/{trip_id}/part/...`, with the trip id escaped (parts must be already)."""
    return "/trips/" + seg(trip_id) + "".join("/" + p for p in parts)


def body_of(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Build a JSON body from snake_case keyword arguments, leaving out the Nones."""
    wire = to_wire_value({k: v for k, v in fields.items() if v is not None})
    assert isinstance(wire, dict)
    return wire


def parse_model(model: type[M], body: Any, response: httpx.Response, *wrappers: str) -> M:
    """Validate an answer body as `model`; an unreadable one is `UnexpectedResponse`."""
    try:
        return model.model_validate(unwrap_object(body, *wrappers))
    except ValueError as exc:
        raise UnexpectedResponse(
            f"answer is not a {model.__name__}: {exc}",
            status=response.status_code,
            request_id=response.headers.get("X-Request-Id"),
        ) from exc


class ClientBase:
    """What every endpoint method builds on; subclasses add the endpoints.

    It also owns the client's lifecycle (an async context manager over its
    `Session`), the same for the keyed client and the share-token client.
    """

    _session: Session

    @property
    def state(self) -> ClientState:
        """Unopened, opened or closed."""
        return self._session.state

    async def __aenter__(self) -> Self:
        await self._session.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client (and the httpx client, if it made it). Safe to call twice."""
        await self._session.close()

    async def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        priority: Priority,
        params: Params | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
        wrappers: Sequence[str] = (),
        log_path: str | None = None,
    ) -> M:
        body, response = await self._session.request_json(
            method,
            path,
            params=params,
            json=json,
            priority=priority,
            idempotency_key=idempotency_key,
            log_path=log_path,
        )
        return parse_model(model, body, response, *wrappers)

    async def _call_empty(
        self,
        method: str,
        path: str,
        *,
        priority: Priority,
        idempotency_key: str | None = None,
    ) -> None:
        await self._session.request(
            method, path, priority=priority, idempotency_key=idempotency_key
        )

    async def _page(
        self,
        path: str,
        model: type[M],
        *,
        priority: Priority,
        limit: int | None = None,
        cursor: str | None = None,
        chronological: bool = False,
    ) -> Page[M]:
        body, response = await self._session.request_json(
            "GET", path, params={"limit": limit, "cursor": cursor}, priority=priority
        )
        try:
            return parse_page(body, model, chronological=chronological)
        except ValueError as exc:
            raise UnexpectedResponse(
                f"answer is not a page of {model.__name__}: {exc}",
                status=response.status_code,
                request_id=response.headers.get("X-Request-Id"),
            ) from exc

    async def _iterate(
        self,
        path: str,
        model: type[M],
        *,
        priority: Priority,
        limit: int | None = None,
        cursor: str | None = None,
        chronological: bool = False,
    ) -> AsyncIterator[M]:
        seen: set[str] = set()
        while True:
            page = await self._page(
                path,
                model,
                priority=priority,
                limit=limit,
                cursor=cursor,
                chronological=chronological,
            )
            for item in page.data:
                # A server that shifts page boundaries must not make us yield twice.
                item_id = getattr(item, "id", None)
                if isinstance(item_id, str):
                    if item_id in seen:
                        continue
                    seen.add(item_id)
                yield item
            if not page.has_more or page.next_cursor is None:
                return
            if page.next_cursor == cursor:
                logger.warning("%s: server repeated cursor with more pages; stopping", path)
                return
            cursor = page.next_cursor

    async def _all(self, path: str, model: type[M], *, priority: Priority) -> list[M]:
        return [item async for item in self._iterate(path, model, priority=priority)]

    async def _batch(
        self,
        path: str,
        items: Sequence[WireItem],
        *,
        priority: Priority,
        idempotency_key: str | None,
    ) -> BatchResult:
        base_key = idempotency_key or uuid.uuid4().hex
        chunks = [items[i : i + BATCH_LIMIT] for i in range(0, len(items), BATCH_LIMIT)]
        results: list[ItemResult] = []
        status = 200
        for number, chunk in enumerate(chunks):
            offset = number * BATCH_LIMIT
            # Each chunk is its own request, so each needs its own stable key.
            key = base_key if len(chunks) == 1 else f"{base_key}:{number}"
            body, response = await self._session.request_json(
                "POST",
                path,
                json={"items": [to_wire_value(item) for item in chunk]},
                priority=priority,
                idempotency_key=key,
            )
            part = parse_model(BatchResult, _results_body(body), response)
            results.extend(r.model_copy(update={"index": r.index + offset}) for r in part.results)
            if response.status_code != 200:
                status = response.status_code
        return BatchResult(results=results, status_code=status)


def _results_body(body: Any) -> Any:
    if isinstance(body, list):
        return {"results": body}
    return body
