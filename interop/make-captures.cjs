// Writes the sample captures in ../captures/ with the official JavaScript protocol classes:
// one direction of a connection each, handshake first, as the client library would send it.
//   node make-captures.cjs
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const signalr = require("@microsoft/signalr");
const { HandshakeProtocol } = require("@microsoft/signalr/dist/cjs/HandshakeProtocol.js");
const { MessagePackHubProtocol } = require("@microsoft/signalr-protocol-msgpack");

const T = signalr.MessageType;
const handshake = new HandshakeProtocol();
const out = path.join(__dirname, "..", "captures");

function clientSession(binary) {
  const extra = binary ? [new Uint8Array([1, 2, 3, 250]), new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))] : [];
  return [
    { type: T.Invocation, target: "SendMessage", arguments: ["alice", "Grüße 👋 \"quoted\"\n"], streamIds: [] },
    { type: T.Invocation, invocationId: "0", target: "Add", arguments: [40, 2], headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } },
    { type: T.StreamInvocation, invocationId: "1", target: "Counter", arguments: [10, 500], streamIds: [] },
    { type: T.Invocation, invocationId: "2", target: "UploadReadings", arguments: [{ sensor: "t-1", unit: "°C", calibration: [0.5, -1.25, null] }, ...extra], streamIds: ["3"] },
    { type: T.StreamItem, invocationId: "3", item: { at: 1, value: 21.5 } },
    { type: T.StreamItem, invocationId: "3", item: { at: 2, value: 21.75 } },
    { type: T.Completion, invocationId: "3" },
    { type: T.CancelInvocation, invocationId: "1" },
    { type: T.Ping },
    { type: T.Ack, sequenceId: 2 },
    { type: T.Close },
  ];
}

function serverSession() {
  return [
    { type: T.Completion, invocationId: "0", result: 42 },
    { type: T.StreamItem, invocationId: "1", item: 0 },
    { type: T.StreamItem, invocationId: "1", item: 1 },
    { type: T.Completion, invocationId: "1" },
    { type: T.Invocation, target: "ReceiveMessage", arguments: ["bob", "hi alice"] },
    { type: T.Completion, invocationId: "2", error: "An unexpected error occurred invoking 'UploadReadings' on the server." },
    { type: T.Ping },
    { type: T.Close, error: "Connection closed with an error.", allowReconnect: true },
  ];
}

function write(name, protocol, handshakeBytes, messages) {
  const parts = [handshakeBytes];
  for (const m of messages) {
    const written = protocol.writeMessage(m);
    parts.push(typeof written === "string" ? Buffer.from(written, "utf8") : Buffer.from(new Uint8Array(written)));
  }
  fs.writeFileSync(path.join(out, name), Buffer.concat(parts));
}

const request = (name) => Buffer.from(handshake.writeHandshakeRequest({ protocol: name, version: 2 }), "utf8");
write("client-json.bin", new signalr.JsonHubProtocol(), request("json"), clientSession(false));
write("client-messagepack.bin", new MessagePackHubProtocol(), request("messagepack"), clientSession(true));
write("server-json.bin", new signalr.JsonHubProtocol(), Buffer.from("{}\x1e"), serverSession());
write("server-messagepack.bin", new MessagePackHubProtocol(), Buffer.from("{}\x1e"), serverSession());
