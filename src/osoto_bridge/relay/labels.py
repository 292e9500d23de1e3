"""How the relay names the chat a message was written in, on the author line it
carries to Osoto (``Alice (Telegram): hi``)."""

from __future__ import annotations

PLATFORM_LABELS = {"telegram": "Telegram", "slack": "Slack", "console": "console"}
"""Each platform's label; the console is no product, so it is not capitalised like one."""

ATTRIBUTION_LABELS: tuple[str, ...] = tuple(
    variant for label in PLATFORM_LABELS.values() for variant in (label, f"{label}, edited")
)
"""Every label the relay writes, for showing such a line in a chat with the name bold."""


def platform_label(platform: str) -> str:
    """The label of ``platform``; an unknown one is named as it is spelt, capitalised."""
    return PLATFORM_LABELS.get(platform, platform.title())
