"""The doctor's one renderer: a table of findings, then a numbered fix per problem."""

from __future__ import annotations

from collections.abc import Sequence

from osoto_bridge.finding import Finding, Status

_MARK: dict[Status, str] = {"ok": "ok", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def render(findings: Sequence[Finding]) -> str:
    """The findings as a table, then a numbered fix for each problem, then a tally."""
    width = max([len("CHECK"), *(len(f.check) for f in findings)])
    lines = [f"{'CHECK':<{width}}  STATUS  DETAIL"]
    lines += [f"{f.check:<{width}}  {_MARK[f.status]:<6}  {f.detail}" for f in findings]
    problems = [f for f in findings if f.status in ("fail", "warn") and f.fix]
    if problems:
        lines += ["", "How to fix:"]
        lines += [f"  {n}. {f.check}: {f.fix}" for n, f in enumerate(problems, start=1)]
    failed = sum(1 for f in findings if f.status == "fail")
    warned = sum(1 for f in findings if f.status == "warn")
    lines += ["", f"{failed} failed, {warned} warning(s), {len(findings)} check(s)"]
    return "\n".join(lines) + "\n"
