"""The MCP server: the tools and resources on the SDK's low-level `Server`.

The low-level server is used (rather than FastMCP's decorators) because the tools'
schemas come from the client's pydantic models as they are, and each call must
answer Osoto's failures as tool errors with their code and requestId::

    async with OsotoClient(key, base_url) as client:
        server = build_server(ToolContext(client=client, shared=...))
        await serve_stdio(server)           # or: await serve_http(server, host, port)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.lowlevel.helper_types import ReadResourceContents
from pydantic import AnyUrl

from osoto_bridge import __version__
from osoto_bridge.mcp import resources
from osoto_bridge.mcp.errors import tool_error
from osoto_bridge.mcp.toolkit import ToolContext, ToolSpec
from osoto_bridge.mcp.tools_answers import ANSWER_TOOLS
from osoto_bridge.mcp.tools_content import CONTENT_TOOLS
from osoto_bridge.mcp.tools_messages import MESSAGE_TOOLS
from osoto_bridge.mcp.tools_trips import TRIP_TOOLS

__all__ = ["ALL_TOOLS", "INSTRUCTIONS", "build_server"]

logger = logging.getLogger(__name__)

ALL_TOOLS: tuple[ToolSpec, ...] = TRIP_TOOLS + CONTENT_TOOLS + MESSAGE_TOOLS + ANSWER_TOOLS
"""Every tool the server offers, in the order it lists them."""

INSTRUCTIONS = (
    "Tools over one Osoto account's trips (a trip planner). Start with list_trips; "
    "export_trip (or the resource osoto://trips/{tripId}/export) reads a whole trip at "
    "once, and where/next/plan/todo answer the usual questions in Markdown. Writes are "
    "safe to retry: creates replay instead of duplicating, and clientRef merges rows. "
    "Read osoto://docs/api for scopes, limits and errors."
)


def build_server(context: ToolContext) -> Server[Any, Any]:
    """Wire the tools and resources over one client into an MCP server.

    Args:
        context: The client of the server's key, and the helpers the tools use.

    Returns:
        The server, ready for a transport.
    """
    server: Server[Any, Any] = Server(
        "osoto-bridge", version=__version__, instructions=INSTRUCTIONS
    )
    tools = {spec.name: spec for spec in ALL_TOOLS}
    listing = [spec.tool() for spec in ALL_TOOLS]

    @server.list_tools()  # type: ignore[no-untyped-call,untyped-decorator]
    async def _list_tools() -> list[types.Tool]:
        return listing

    # The arguments are validated by each tool's pydantic model instead of the SDK's
    # jsonschema pass, so a bad one answers INVALID_ARGUMENT with every field named.
    @server.call_tool(validate_input=False)  # type: ignore[untyped-decorator]
    async def _call_tool(name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        spec = tools.get(name)
        if spec is None:
            return tool_error({"code": "UNKNOWN_TOOL", "message": f"no tool named {name!r}"})
        logger.info("tool %s", name)  # never the arguments: they may hold a share token
        return await spec.call(context, arguments)

    @server.list_resources()  # type: ignore[no-untyped-call,untyped-decorator]
    async def _list_resources() -> list[types.Resource]:
        return await resources.list_resources(context)

    @server.list_resource_templates()  # type: ignore[no-untyped-call,untyped-decorator]
    async def _list_templates() -> list[types.ResourceTemplate]:
        return resources.resource_templates()

    @server.read_resource()  # type: ignore[no-untyped-call,untyped-decorator]
    async def _read_resource(uri: AnyUrl) -> Iterable[ReadResourceContents]:
        text, mime = await resources.read_resource(context, str(uri))
        return [ReadResourceContents(content=text, mime_type=mime)]

    return server
