"""The MCP face of the Osoto client: tools, resources and transports for agents.

`osoto-bridge mcp` serves it (see `docs/mcp.md`). A server is one Osoto client (one
API key, never a tool argument) wrapped in tools for the whole public API, the chat's
answers (`where`, `next`, `plan`, `todo`, ...) and resources::

    async with OsotoClient(key, base_url) as client:
        context = ToolContext(client=client, shared=lambda t: SharedTripClient(t, base_url))
        await serve_stdio(build_server(context))
"""

from osoto_bridge.mcp.resources import API_DOCS_URI, EXPORT_TEMPLATE, api_summary
from osoto_bridge.mcp.server import ALL_TOOLS, INSTRUCTIONS, build_server
from osoto_bridge.mcp.toolkit import Text, ToolContext, ToolSpec
from osoto_bridge.mcp.transports import http_app, serve_http, serve_stdio

__all__ = [
    "ALL_TOOLS",
    "API_DOCS_URI",
    "EXPORT_TEMPLATE",
    "INSTRUCTIONS",
    "Text",
    "ToolContext",
    "ToolSpec",
    "api_summary",
    "build_server",
    "http_app",
    "serve_http",
    "serve_stdio",
]
