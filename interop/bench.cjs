// The canonical benchmark payloads (benches/data/payloads.json) parsed by the official SignalR
// JavaScript protocol classes, for comparison with `cargo bench` (README, "Performance").
//
//   node interop/bench.cjs            (after `npm ci --prefix interop`)
//   node interop/bench.cjs --json     (one JSON object per line, for benches/readme.py)
//
// Each payload is parsed the way the client receives it: JSON as a string, MessagePack as an
// ArrayBuffer. Batches of calls are timed after a warm-up; the median batch is reported, in
// nanoseconds per message.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const signalr = require("@microsoft/signalr");
const { MessagePackHubProtocol } = require("@microsoft/signalr-protocol-msgpack");

const logger = signalr.NullLogger.instance;
const json = new signalr.JsonHubProtocol();
const messagepack = new MessagePackHubProtocol();
const file = path.join(__dirname, "..", "benches", "data", "payloads.json");
const { payloads } = JSON.parse(fs.readFileSync(file, "utf8"));

function time(parse, input, count) {
  // Enough calls per batch for about 10 ms of work: shorter batches let garbage collection
  // and JIT tiering swing the median by several times between runs.
  let calls = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) parse(input);
    if (Number(process.hrtime.bigint() - start) > 1e7) break;
    calls *= 2;
  }
  for (let i = 0; i < calls * 20; i++) parse(input); // warm-up
  const batches = [];
  for (let b = 0; b < 31; b++) {
    const start = process.hrtime.bigint();
    let parsed = 0;
    for (let i = 0; i < calls; i++) parsed += parse(input).length;
    const ns = Number(process.hrtime.bigint() - start);
    if (parsed !== calls * count) throw new Error(`parsed ${parsed / calls} messages, expected ${count}`);
    batches.push(ns / (calls * count));
  }
  batches.sort((a, b) => a - b);
  return batches[15];
}

const asJson = process.argv.includes("--json");
const version = require("@microsoft/signalr/package.json").version;
if (!asJson) {
  console.log(`node ${process.version}, @microsoft/signalr ${version}`);
  console.log("| payload | protocol | parse / msg |");
  console.log("|---|---|---|");
}
for (const p of payloads) {
  const text = Buffer.from(p.json.hex, "hex").toString("utf8");
  const bytes = Buffer.from(p.msgpack.hex, "hex");
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  const j = time((s) => json.parseMessages(s, logger), text, p.count);
  const m = time((b) => messagepack.parseMessages(b, logger), buffer, p.count);
  for (const [protocol, ns] of [["json", j], ["msgpack", m]]) {
    if (asJson) {
      console.log(JSON.stringify({ payload: p.name, protocol, ns, node: process.version, signalr: version }));
    } else {
      console.log(`| ${p.name} | ${protocol === "json" ? "json" : "messagepack"} | ${ns.toFixed(0)} ns |`);
    }
  }
}
