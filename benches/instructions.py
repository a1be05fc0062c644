#!/usr/bin/env python3
"""Instructions per message under callgrind: the codec's decoders next to their floors.

Timings on a shared machine drift; instruction counts do not. Each body runs twice (10 and 110
iterations) and the difference, divided by 100 iterations and the messages per iteration, is
what one message costs: start-up and payload loading cancel out. The loop and call around the
body (the `none` body) are subtracted too, as criterion's own loop is not in its estimates.

    cargo build --release -p signalr-codec-benches --example instructions
    python3 benches/instructions.py [payload ...]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "examples", "instructions")
TARGET = {"json": 1.2, "msgpack": 2.0}
FLOOR = {"json": "floor/json_ignored_any", "msgpack": "floor/msgpack_skip"}


def payload_names():
    with open(os.path.join(ROOT, "benches", "data", "payloads.json")) as f:
        names = [p["name"] for p in json.load(f)["payloads"]]
    return names + ["no_arguments", "few_arguments", "many_arguments", "large_arguments"]


def instructions(body, payload, iterations):
    with tempfile.NamedTemporaryFile(suffix=".out") as out:
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}", BIN, body, payload, str(iterations)],
            capture_output=True, text=True, check=True,
        )
    refs = re.search(r"refs:\s+([\d,]+)", run.stderr)
    return int(refs.group(1).replace(",", "")), int(run.stdout.strip() or 0)


def per_iteration(body, payload):
    low, _ = instructions(body, payload, 10)
    high, messages = instructions(body, payload, 110)
    return (high - low) / 100, messages / 110


def per_message(body, payload, overhead):
    cost, messages = per_iteration(body, payload)
    return (cost - overhead) / messages


def main():
    names = sys.argv[1:] or payload_names()
    print("| payload | protocol | decode instr/msg | floor instr/msg | ratio | target |")
    print("|---|---|---|---|---|---|")
    overhead, _ = per_iteration("none", names[0])
    for name in names:
        for protocol in ("json", "msgpack"):
            codec = per_message(f"decode/{protocol}", name, overhead)
            floor = per_message(FLOOR[protocol], name, overhead)
            ratio = codec / floor
            mark = "✓" if ratio <= TARGET[protocol] else "✗"
            print(f"| {name} | {protocol} | {codec:.0f} | {floor:.0f} | {ratio:.2f}× | {mark} ≤ {TARGET[protocol]}× |")


if __name__ == "__main__":
    main()
