#!/usr/bin/env python3
"""Prints the README's Performance table from criterion's estimates (target/criterion).

    cargo bench -p signalr-codec-benches --bench codec -- --noplot
    python3 benches/report.py

Median time per message, throughput, and the ratio to the floor measured on the same bytes in
the same run: JSON decode against serde_json -> IgnoredAny, MessagePack decode against a bare
skip walk. Targets: JSON <= 1.2x, MessagePack <= 2x, batch framing >= 5 GB/s.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRITERION = ROOT / "target" / "criterion"
PAYLOADS = json.loads((ROOT / "benches" / "data" / "payloads.json").read_text())


def median_ns(*parts):
    path = CRITERION.joinpath(*parts, "new", "estimates.json")
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def counts():
    """Messages per payload: the canonical ones say; each .NET shape is one message."""
    return {p["name"]: p["count"] for p in PAYLOADS["payloads"]}


def measured_bytes(*parts):
    """The throughput criterion recorded for a benchmark: the bytes of its input."""
    path = CRITERION.joinpath(*parts, "new", "benchmark.json")
    if not path.exists():
        return None
    return json.loads(path.read_text()).get("throughput", {}).get("Bytes")


def fmt_ns(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 10_000 else f"{ns:.0f} ns"


def main():
    messages = counts()
    names = [p["name"] for p in PAYLOADS["payloads"]] + ["no_arguments", "few_arguments", "many_arguments", "large_arguments"]
    rows = ["| payload | protocol | decode / msg | decode MB/s | floor | ratio | target | encode / msg |", "|---|---|---|---|---|---|---|---|"]
    for name in names:
        for proto, floor, limit in (("json", "json_ignored_any", 1.2), ("msgpack", "msgpack_skip", 2.0)):
            decode = median_ns("decode", proto, name)
            base = median_ns("floor", floor, name)
            encode = median_ns("encode", proto, name)
            if decode is None or base is None:
                continue
            count = messages.get(name, 1)
            size = measured_bytes("decode", proto, name)
            mbps = f"{size / decode * 1000:.0f}" if size else "—"
            ratio = decode / base
            mark = "✓" if ratio <= limit else "✗"
            enc = fmt_ns(encode / count) if encode is not None else "—"
            rows.append(f"| {name} | {proto} | {fmt_ns(decode / count)} | {mbps} | {fmt_ns(base / count)} | {ratio:.2f}× | {mark} ≤ {limit}× | {enc} |")
    print("\n".join(rows))
    print()
    for proto in ("json", "msgpack"):
        t = median_ns("frame", proto, "batch_1000_small")
        if t is not None:
            size = measured_bytes("frame", proto, "batch_1000_small")
            print(f"frame/{proto}/batch_1000_small: {size / t:.2f} GB/s ({'✓' if size / t >= 5 else '✗'} ≥ 5 GB/s)")


if __name__ == "__main__":
    sys.exit(main())
