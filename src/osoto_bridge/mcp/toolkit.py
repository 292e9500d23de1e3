"""What a tool is: a name, a sentence, an argument model, a handler, an output model.

`ToolSpec` turns itself into the MCP `Tool` listing (schemas from the pydantic
models) and runs a call: validate the arguments, pick the Idempotency-Key, call the
handler with the `ToolContext`, and shape the answer (structured JSON in the wire's
camelCase, plus the same JSON as text for clients that only read text).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pydantic
from mcp import types
from pydantic import BaseModel, create_model

from osoto_bridge.commands import SnapshotCache
from osoto_bridge.mcp.errors import BadArgument, argument_error, bad_argument, osoto_error
from osoto_bridge.mcp.schemas import TripArgs, WriteArgs
from osoto_bridge.osoto import OsotoClient, OsotoError, SharedTripClient

__all__ = ["KeyPolicy", "Ok", "Text", "ToolContext", "ToolResult", "ToolSpec", "list_output"]

KeyPolicy = Literal["read", "derived", "fresh"]
"""How a tool's Idempotency-Key is chosen when the agent gives none.

`derived`: from the tool and its arguments, so an agent repeating a create (a retry
after a lost answer) replays it instead of creating twice. `fresh`: a new key per
call (updates, deletes, share tokens: repeating those is harmless, and a derived key
would replay a stale answer after, say, a revoke). `read`: no write, no key.
"""


@dataclass(frozen=True)
class Text:
    """A tool answer that is text (the answers tools' Markdown or plain text)."""

    text: str


ToolResult = BaseModel | Sequence[BaseModel] | Text | None


@dataclass
class ToolContext:
    """What a tool handler may use: the Osoto client of the server's key, and more.

    Attributes:
        client: The client of the server's API key (the key is never a tool argument).
        shared: Makes a share-token client (for the shared views).
        cache: Trip snapshots for the answers tools; writes invalidate their trip.
        now: The current instant, for "today" in the answers.
    """

    client: OsotoClient
    shared: Callable[[str], SharedTripClient]
    cache: SnapshotCache = field(default_factory=SnapshotCache)
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)


Handler = Callable[[ToolContext, Any, str | None], Awaitable[ToolResult]]


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(by_alias=True)


def list_output(model: type[BaseModel]) -> type[BaseModel]:
    """The output model of a tool listing `model`s: `{"items": [...]}`.

    Structured tool output must be an object, hence the wrapper.
    """
    return create_model(f"{model.__name__}List", items=(list[model], ...))  # type: ignore[valid-type]


def derived_key(name: str, args: BaseModel) -> str:
    """An Idempotency-Key from a tool's name and arguments (see `KeyPolicy`)."""
    canonical = json.dumps(
        args.model_dump(mode="json", exclude={"idempotency_key"}), sort_keys=True, default=str
    )
    digest = hashlib.sha256(f"{name}\x00{canonical}".encode()).hexdigest()[:40]
    return f"mcp-{name}-{digest}"


@dataclass(frozen=True)
class ToolSpec:
    """One MCP tool.

    Attributes:
        name: The tool's name.
        description: One sentence an agent can act on.
        args: The argument model (its schema is the input schema).
        handler: `(context, arguments, idempotency_key) -> result`.
        output: The model of the structured answer, or None for text answers.
        keys: How the Idempotency-Key is chosen.
        destructive: Whether the tool deletes or archives.
    """

    name: str
    description: str
    args: type[BaseModel]
    handler: Handler
    output: type[BaseModel] | None
    keys: KeyPolicy = "read"
    destructive: bool = False

    def tool(self) -> types.Tool:
        """The listing of the tool."""
        read_only = self.keys == "read"
        return types.Tool(
            name=self.name,
            description=self.description,
            inputSchema=_schema(self.args),
            outputSchema=_schema(self.output) if self.output is not None else None,
            annotations=types.ToolAnnotations(
                readOnlyHint=read_only,
                destructiveHint=self.destructive if not read_only else None,
                idempotentHint=True if read_only or self.keys == "fresh" else None,
                openWorldHint=False,
            ),
        )

    async def call(self, context: ToolContext, arguments: dict[str, Any]) -> types.CallToolResult:
        """Run the tool on an agent's arguments; failures become tool errors.

        Args:
            context: The server's client and helpers.
            arguments: The arguments as the agent sent them.

        Returns:
            The tool's result.
        """
        try:
            args = self.args.model_validate(arguments)
        except pydantic.ValidationError as exc:
            return argument_error(exc)
        key: str | None = None
        if isinstance(args, WriteArgs):
            key = args.idempotency_key
            if key is None and self.keys == "derived":
                key = derived_key(self.name, args)
        try:
            result = await self.handler(context, args, key)
        except OsotoError as exc:
            return osoto_error(exc)
        except BadArgument as exc:
            return bad_argument(exc)
        finally:
            if self.keys != "read" and isinstance(args, TripArgs):
                # The answers tools must see the change at once, not after the TTL.
                context.cache.invalidate(args.trip_id)
        return _shape(result)


def _dump(model: BaseModel) -> Any:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def _shape(result: ToolResult) -> types.CallToolResult:
    if isinstance(result, Text):
        return types.CallToolResult(content=[types.TextContent(type="text", text=result.text)])
    structured: dict[str, Any]
    if result is None:
        structured = {"ok": True}
    elif isinstance(result, BaseModel):
        structured = _dump(result)
    else:
        structured = {"items": [_dump(item) for item in result]}
    text = json.dumps(structured, ensure_ascii=False, indent=1)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)], structuredContent=structured
    )


class Ok(BaseModel):
    """The answer of a tool whose Osoto call returns nothing (deletes, revokes)."""

    ok: bool
