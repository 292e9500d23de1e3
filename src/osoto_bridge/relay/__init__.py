"""The platform-neutral relay: pollers, outbox, delivery, echo suppression, replies."""

from osoto_bridge.relay.bridge import Bridge
from osoto_bridge.relay.clients import ClientPool
from osoto_bridge.relay.deliver import Deliverer
from osoto_bridge.relay.inbound import InboundRouter
from osoto_bridge.relay.link_service import LinkService
from osoto_bridge.relay.schedule import PollSchedule, PollTiming
from osoto_bridge.relay.worker import ChannelKey, ChannelWorker, seek_end

__all__ = [
    "Bridge",
    "ChannelKey",
    "ChannelWorker",
    "ClientPool",
    "Deliverer",
    "InboundRouter",
    "LinkService",
    "PollSchedule",
    "PollTiming",
    "seek_end",
]
