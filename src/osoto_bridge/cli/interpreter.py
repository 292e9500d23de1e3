"""The process-wide settings `run` applies to the interpreter, each on a documented setting.

Both act on the whole process, so each is a setting of its own, logged when applied
(docs/configuration.md, docs/benchmarks.md "The tail at 1,000 trips"):

- `OSOTO_BRIDGE_GIL_SWITCH_INTERVAL` (opt-in): `sys.setswitchinterval`;
- `OSOTO_BRIDGE_GC_FREEZE` (on unless set false): once `run` serves, `gc.freeze()`
  moves every object its start made into the collector's permanent generation.
  Those (modules, functions, classes, each link's worker and caches: about 245,000
  of 300,000 objects at 1,000 trips) live as long as the process, yet every full
  collection walked them all again and stopped the event loop meanwhile: 142–267 ms
  every 15–30 s, and the lines arriving then waited that long. Frozen, a pause is
  about 150 ms shorter (15–30 ms just after, growing again with what the bridge
  keeps later, each trip's plan snapshots first). A collection first, so that no
  garbage of the start is kept for good.
"""

from __future__ import annotations

import gc
import logging
import sys

from osoto_bridge.config import Settings

__all__ = ["apply_at_start", "freeze_what_start_made"]

logger = logging.getLogger("osoto_bridge.cli.run")


def apply_at_start(settings: Settings) -> None:
    """Before anything runs: the GIL switch interval, only on the operator's word."""
    if settings.gil_switch_interval is not None:
        sys.setswitchinterval(settings.gil_switch_interval)
        logger.info("GIL switch interval set to %s s", settings.gil_switch_interval)


def freeze_what_start_made(settings: Settings) -> None:
    """Once serving: keep the start's objects out of every later collection."""
    if not settings.gc_freeze:
        return
    gc.collect()
    gc.freeze()
    logger.info(
        "froze %d objects of the start out of the garbage collector's sight "
        "(OSOTO_BRIDGE_GC_FREEZE=false leaves it as it is)",
        gc.get_freeze_count(),
    )
