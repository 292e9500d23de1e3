"""The relay benchmark's plots (matplotlib: ``pip install -e '.[bench]'``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt


def plot_latency(series: dict[str, list[float]], path: Path, run: dict[str, Any]) -> Path:
    """One CDF per path and class, latency on a log axis."""
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for name, values in sorted(series.items()):
        if not values:
            continue
        ms = [max(v * 1000.0, 0.1) for v in values]
        share = [(n + 1) / len(ms) for n in range(len(ms))]
        ax.step(ms, share, where="post", label=f"{name} (n={len(ms)})")
    ax.set_xscale("log")
    ax.set_xlabel("end-to-end latency (ms, log scale)")
    ax.set_ylabel("share of messages")
    ax.set_title(f"Relay latency CDF, {run['trips']} trips")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_requests(series: dict[str, list[float]], path: Path, report: dict[str, Any]) -> Path:
    """Each key's requests in the trailing 60 s over the run: the most, the median, the busiest."""
    fig, ax = plt.subplots(figsize=(9, 5))
    t = series["t"]
    ax.plot(t, series["max"], label="most requests of any key")
    ax.plot(t, series["busiest"], label="the busiest key", alpha=0.7)
    ax.plot(t, series["median"], label="median key")
    ax.axhline(60, color="red", linestyle="--", label="Osoto's limit (60 / 60 s)")
    for name, (start, end) in report["phases"].items():
        if name in ("idle", "traffic", "bulk") and end > start:
            ax.axvspan(start, end, alpha=0.08, color="grey")
            ax.text(start + 1, 62, name, fontsize="small")
    ax.set_xlabel("seconds since the bridge started")
    ax.set_ylabel("requests in the trailing 60 s")
    ax.set_ylim(0, 70)
    ax.set_title(f"Osoto requests per key, {report['run']['trips']} trips")
    ax.legend(fontsize="small", loc="center right")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
