"""`/metrics` exports no `_created` series: one sample set per instrument, no noise."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from osoto_bridge.metrics import RelayMetrics


def test_the_relay_instruments_export_no_created_series() -> None:
    metrics = RelayMetrics(wall_clock=lambda: 1_000.0)
    metrics.message_relayed("osoto_to_chat", "telegram", created_at=999.0)
    metrics.message_relayed("chat_to_osoto", "slack", created_at=1_000.5)  # clock skew
    metrics.polled("trip1", "chan1")
    text = generate_latest(metrics.registry).decode()
    names = {s.name for f in text_string_to_metric_families(text) for s in f.samples}
    assert names, text
    assert not [n for n in names if n.endswith("_created")], sorted(names)
    assert "osoto_bridge_messages_relayed_total" in names
    assert any(n.endswith("_bucket") for n in names)  # the histogram is still there
