"""A graceful stop's first step (issue 14.3): Slack's events are refused, sends go."""

from __future__ import annotations

from slack_world import BOB, CHANNEL, SlackWorld

from osoto_bridge.chat.base import ChatAddress, OutboundMessage
from osoto_bridge.text import doc


async def test_after_stop_intake_events_are_refused_and_sends_still_go(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    assert world.chat is not None
    await world.chat.stop_intake()

    event = world.fake.message_event(CHANNEL, BOB, "written while the bridge stops")
    response = await world.deliver(world.fake.event_callback(event))
    assert response.status_code == 503  # Slack delivers it again after the restart
    ids = await world.chat.send(OutboundMessage(ChatAddress("slack", CHANNEL), doc("in flight")))
    assert len(ids) == 1
    assert [p.text for p in world.fake.posted] == ["in flight"]

    await world.stop()
    assert await world.osoto_messages() == []
