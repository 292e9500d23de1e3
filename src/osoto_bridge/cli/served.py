"""Which links a starting bridge will serve, and why the others will not.

A link is served by the adapter of its platform; a link on a platform this process
has no adapter for (its token unset here) waits in the database unserved. Saying so
at start turns "the bot is silent" into a log line naming the setting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from osoto_bridge.store import Link

# How a platform is turned on (config.py's names).
_SETTING = {
    "telegram": "OSOTO_BRIDGE_TELEGRAM_TOKEN",
    "slack": "OSOTO_BRIDGE_SLACK_BOT_TOKEN",
    "console": "OSOTO_BRIDGE_CONSOLE=true",
}


def service_report(links: Sequence[Link], platforms: Sequence[str]) -> tuple[str, list[str]]:
    """The start-up summary and one warning per platform whose links go unserved.

    Args:
        links: the enabled links.
        platforms: the platforms whose adapters started.

    Returns:
        ``(summary, warnings)``: the summary line, and for each unserved platform a
        line naming its links and the setting that would serve them.
    """
    by_platform = Counter(link.platform for link in links)
    served = sum(n for platform, n in by_platform.items() if platform in platforms)
    parts = ", ".join(f"{platform} {by_platform[platform]}" for platform in platforms)
    summary = f"bridge running: {served} link(s) served ({parts or 'no platform'})"
    warnings = []
    for platform in sorted(set(by_platform) - set(platforms)):
        ids = ", ".join(str(link.id) for link in links if link.platform == platform)
        setting = _SETTING.get(platform)
        why = f"set {setting} to serve them" if setting else "no adapter knows that platform"
        warnings.append(
            f"{by_platform[platform]} link(s) on {platform} will not be served (links {ids}): "
            f"{platform} is not configured in this process; {why}"
        )
    return summary, warnings
