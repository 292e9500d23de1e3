"""The bridge's HTTP side: one ASGI app (health, readiness, metrics, platform routes)
served by uvicorn inside the bridge's event loop."""

from osoto_bridge.web.app import Readiness, build_web_app
from osoto_bridge.web.server import WebServer, WebServerError, listen_socket
from osoto_bridge.web.state_metrics import StateCollector, StoreReading

__all__ = [
    "Readiness",
    "StateCollector",
    "StoreReading",
    "WebServer",
    "WebServerError",
    "build_web_app",
    "listen_socket",
]
