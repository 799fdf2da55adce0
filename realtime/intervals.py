"""Half-open time interval arithmetic on sorted lists of (start, end) pairs."""
from __future__ import annotations

import datetime as dt

Interval = tuple[dt.datetime, dt.datetime]


def merge(items: list[Interval]) -> list[Interval]:
    """Sorted union of intervals (empty ones dropped)."""
    out: list[Interval] = []
    for start, end in sorted(i for i in items if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def clip(items: list[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """The parts of ``items`` inside [start, end)."""
    return [(max(a, start), min(b, end)) for a, b in items if b > start and a < end]


def subtract(base: list[Interval], cut: list[Interval]) -> list[Interval]:
    """``base`` minus ``cut`` (both merged)."""
    out: list[Interval] = []
    for a, b in base:
        pieces = [(a, b)]
        for c, d in cut:
            nxt = []
            for x, y in pieces:
                if d <= x or c >= y:
                    nxt.append((x, y))
                    continue
                if c > x:
                    nxt.append((x, c))
                if d < y:
                    nxt.append((d, y))
            pieces = nxt
        out.extend(pieces)
    return out


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Intersection of two merged interval lists."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def total_seconds(items: list[Interval]) -> float:
    """Summed length in seconds."""
    return sum((b - a).total_seconds() for a, b in items)
