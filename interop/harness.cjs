// The official SignalR JavaScript protocol classes behind a JSON-lines interface, so the Rust
// tests can ask them to write and parse messages. One request per stdin line, one response per
// stdout line, in order. Messages use the neutral form of the signalr-codec CLI:
// payload values are JSON; MessagePack-only values are tagged ({"$bin":"<hex>"},
// {"$timestamp":"<RFC 3339>"}, {"$ext":{"type":n,"hex":"<hex>"}}).
//
//   {"op":"write","protocol":"json"|"messagepack","messages":[m, ...]}   -> {"ok":["<hex>", ...]}
//   {"op":"parse","protocol":P,"buffers":["<hex>", ...]}                  -> {"ok":[{"ok":[m...]}|{"error":"..."} ...]}
//   {"op":"handshake-request","protocol":P,"version":n}                  -> {"ok":"<hex>"}
//   {"op":"handshake-response","format":"text"|"binary","buffers":[...]} -> {"ok":[{"ok":{...},"remaining":"<hex>"}|{"error":"..."} ...]}
//   {"op":"versions"}                                                    -> {"ok":{...package versions...}}
"use strict";

const readline = require("node:readline");
const signalr = require("@microsoft/signalr");
const { HandshakeProtocol } = require("@microsoft/signalr/dist/cjs/HandshakeProtocol.js");
const { MessagePackHubProtocol } = require("@microsoft/signalr-protocol-msgpack");
const { ExtData } = require("@msgpack/msgpack");

const protocols = {
  json: new signalr.JsonHubProtocol(),
  messagepack: new MessagePackHubProtocol(),
};
const handshake = new HandshakeProtocol();
const logger = signalr.NullLogger.instance;

const toHex = (bytes) => Buffer.from(bytes).toString("hex");
const fromHex = (hex) => new Uint8Array(Buffer.from(hex, "hex"));

// Neutral value -> JS value.
function toJs(value) {
  if (Array.isArray(value)) return value.map(toJs);
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [k] = keys;
      if (k === "$bin") return fromHex(value.$bin);
      if (k === "$timestamp") return new Date(value.$timestamp);
      if (k === "$f32") return value.$f32;
      if (k === "$ext") return new ExtData(value.$ext.type, fromHex(value.$ext.hex));
    }
    const out = {};
    for (const key of keys) out[key] = toJs(value[key]);
    return out;
  }
  return value;
}

function rfc3339(date) {
  // The neutral form: fractional seconds only when non-zero, trailing zeros trimmed.
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_, digits) => (digits ? `.${digits}Z` : "Z"));
}

// JS value -> neutral value.
function fromJs(value) {
  if (Array.isArray(value)) return value.map(fromJs);
  if (value instanceof Uint8Array) return { $bin: toHex(value) };
  if (value instanceof Date) return { $timestamp: rfc3339(value) };
  if (value instanceof ExtData) return { $ext: { type: value.type, hex: toHex(value.data) } };
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value)) out[key] = fromJs(value[key]);
    return out;
  }
  return value;
}

const MESSAGE_FIELDS = ["type", "headers", "invocationId", "target", "arguments", "streamIds", "item", "result", "error", "allowReconnect", "sequenceId"];

function messageToJs(m) {
  const out = {};
  for (const key of MESSAGE_FIELDS) {
    if (!(key in m)) continue;
    if (key === "arguments") out.arguments = m.arguments.map(toJs);
    else if (key === "item" || key === "result") out[key] = toJs(m[key]);
    else out[key] = m[key];
  }
  return out;
}

function messageFromJs(m) {
  const out = {};
  for (const key of MESSAGE_FIELDS) {
    if (!(key in m) || m[key] === undefined) continue;
    if (key === "arguments") out.arguments = m.arguments.map(fromJs);
    else if (key === "item" || key === "result") out[key] = fromJs(m[key]);
    else out[key] = m[key];
  }
  return out;
}

function bufferInput(protocol, hex) {
  const bytes = fromHex(hex);
  if (protocol === "json") return Buffer.from(bytes).toString("utf8");
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

function attempt(f) {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: String(e && e.message !== undefined ? e.message : e) };
  }
}

function handle(req) {
  switch (req.op) {
    case "write": {
      const protocol = protocols[req.protocol];
      return {
        ok: req.messages.map((m) => {
          const written = protocol.writeMessage(messageToJs(m));
          return typeof written === "string" ? Buffer.from(written, "utf8").toString("hex") : toHex(new Uint8Array(written));
        }),
      };
    }
    case "parse": {
      const protocol = protocols[req.protocol];
      return {
        ok: req.buffers.map((hex) =>
          attempt(() => protocol.parseMessages(bufferInput(req.protocol, hex), logger).map(messageFromJs)),
        ),
      };
    }
    case "handshake-request":
      return { ok: Buffer.from(handshake.writeHandshakeRequest({ protocol: req.protocol, version: req.version }), "utf8").toString("hex") };
    case "handshake-response":
      return {
        ok: req.buffers.map((hex) => {
          try {
            // A text transport hands the client a string; a binary one an ArrayBuffer.
            const bytes = fromHex(hex);
            const input = req.format === "binary" ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) : Buffer.from(bytes).toString("utf8");
            const [remaining, response] = handshake.parseHandshakeResponse(input);
            let rest = new Uint8Array(0);
            if (typeof remaining === "string") rest = new Uint8Array(Buffer.from(remaining, "utf8"));
            else if (remaining) rest = new Uint8Array(remaining);
            return { ok: response, remaining: toHex(rest) };
          } catch (e) {
            return { error: String(e.message) };
          }
        }),
      };
    case "versions":
      return {
        ok: {
          "@microsoft/signalr": require("@microsoft/signalr/package.json").version,
          "@microsoft/signalr-protocol-msgpack": require("@microsoft/signalr-protocol-msgpack/package.json").version,
          "@msgpack/msgpack": require("@msgpack/msgpack/package.json").version,
          node: process.version,
        },
      };
    default:
      return { error: `unknown op ${req.op}` };
  }
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (line.trim() === "") return;
  let response;
  try {
    response = handle(JSON.parse(line));
  } catch (e) {
    response = { error: `harness: ${e && e.stack ? e.stack : e}` };
  }
  process.stdout.write(JSON.stringify(response) + "\n");
});
