// End-to-end scenarios: the official SignalR JavaScript client (and a raw `ws` socket where the
// client cannot be made to misbehave) against a running test hub (codec-tokio's
// `examples/test-hub`), in both hub protocols.
//
//   node e2e.cjs BASE_URL [--timeouts URL] [--protocol json|messagepack] [--scenario NAME]
//
// BASE_URL serves the test hub with the default options (stateful reconnect allowed).
// --timeouts URL serves it with `--keep-alive-ms 200 --client-timeout-ms 1000`, for the
// keep-alive and silent-peer scenarios; without it they are reported as skipped.
//
// Prints one JSON line per scenario: {"protocol","scenario","ok":true,"ms"} or with "ok":false,
// "error" and the client's last log lines; a scenario that cannot run says "skipped". Exits 1 if
// any scenario failed. Every scenario has a deadline, and so has the whole run.

'use strict';

const signalR = require('@microsoft/signalr');
const { MessagePackHubProtocol } = require('@microsoft/signalr-protocol-msgpack');
const WebSocket = require('ws');

const RS = '\u001e';
const SCENARIO_DEADLINE_MS = 10000;
const RUN_DEADLINE_MS = 120000;

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const args = { base: undefined, timeouts: undefined, protocols: ['json', 'messagepack'], only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--timeouts') args.timeouts = argv[++i];
    else if (a === '--protocol') args.protocols = [argv[++i]];
    else if (a === '--scenario') args.only = argv[++i];
    else if (!args.base && !a.startsWith('--')) args.base = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!args.base) usage('the base URL is missing');
  return args;
}

function usage(why) {
  process.stderr.write(`e2e.cjs: ${why}\nusage: node e2e.cjs BASE_URL [--timeouts URL] [--protocol json|messagepack] [--scenario NAME]\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Helpers

class AssertionError extends Error {}

function check(condition, what) {
  if (!condition) throw new AssertionError(what);
}

function eq(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new AssertionError(`${what}: expected ${e}, got ${a}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection with `what` after `ms`. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The error `promise` rejects with (fails if it resolves). */
async function rejection(promise, what) {
  try {
    const value = await promise;
    throw new AssertionError(`${what}: expected an error, got the result ${JSON.stringify(value)}`);
  } catch (e) {
    if (e instanceof AssertionError) throw e;
    return e;
  }
}

/** Polls `probe` every `every` ms until it returns a truthy value, at most `tries` times. */
async function until(probe, what, tries = 40, every = 50) {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value) return value;
    await sleep(every);
  }
  throw new AssertionError(`${what}: not after ${tries * every} ms`);
}

/** Keeps the client's log (the last lines go into a failure report); nothing on stdout. */
class Log {
  constructor() {
    this.lines = [];
    this.errors = [];
    this.transports = 0;
  }
  log(level, message) {
    const line = `${signalR.LogLevel[level]}: ${message}`;
    this.lines.push(line);
    if (this.lines.length > 40) this.lines.shift();
    if (level >= signalR.LogLevel.Error) this.errors.push(line);
    if (message.startsWith('WebSocket connected to ')) this.transports++;
  }
}

/** A connected official client; `closed` resolves with onclose's error (or null). */
async function connect(ctx, url, options = {}) {
  let builder = new signalR.HubConnectionBuilder()
    .withUrl(url, { transport: signalR.HttpTransportType.WebSockets })
    .configureLogging(ctx.log);
  if (options.stateful !== false) builder = builder.withStatefulReconnect();
  if (ctx.protocol === 'messagepack') builder = builder.withHubProtocol(new MessagePackHubProtocol());
  if (options.keepAliveMs) builder = builder.withKeepAliveInterval(options.keepAliveMs);
  if (options.serverTimeoutMs) builder = builder.withServerTimeout(options.serverTimeoutMs);
  const connection = builder.build();
  for (const [name, handler] of Object.entries(options.handlers || {})) connection.on(name, handler);
  connection.closed = new Promise((resolve) => connection.onclose((error) => resolve(error || null)));
  ctx.connections.push(connection);
  await connection.start();
  return connection;
}

/** A raw WebSocket on the hub, no negotiate: frames as strings (binary ones as latin1 hex). */
class RawPeer {
  constructor(ctx, url) {
    this.frames = [];
    this.waiters = [];
    this.socket = new WebSocket(url.replace(/^http/, 'ws'));
    ctx.sockets.push(this.socket);
    this.opened = new Promise((resolve, reject) => {
      this.socket.on('open', resolve);
      this.socket.on('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code) => resolve({ code, at: Date.now() }));
    });
    this.closed.then(() => this.wake());
    this.socket.on('message', (data) => {
      this.frames.push(typeof data === 'string' ? { text: data } : { binary: Buffer.from(data) });
      this.wake();
    });
  }
  wake() {
    for (const w of this.waiters.splice(0)) w();
  }
  /** The next frame, or null once the socket closed. */
  async next(ms, what) {
    return within(
      (async () => {
        for (;;) {
          if (this.frames.length) return this.frames.shift();
          if (this.socket.readyState === WebSocket.CLOSED) return null;
          await new Promise((resolve) => this.waiters.push(resolve));
        }
      })(),
      ms,
      what,
    );
  }
  send(text) {
    this.socket.send(text);
  }
}

function frameText(frame) {
  if (!frame) return null;
  return frame.text !== undefined ? frame.text : frame.binary.toString('utf8');
}

/** Handshakes a raw peer, checking the `{}` answer. */
async function rawHandshake(ctx, url, protocol) {
  const peer = new RawPeer(ctx, url);
  await within(peer.opened, 3000, 'the WebSocket opening');
  peer.send(JSON.stringify({ protocol, version: 1 }) + RS);
  const answer = await peer.next(3000, 'the handshake response');
  // The response may share a frame with the first messages; the handshake part ends at RS.
  const text = frameText(answer);
  check(text !== null, 'the socket closed instead of answering the handshake');
  eq(text.slice(0, text.indexOf(RS) + 1), '{}' + RS, 'the handshake response');
  return peer;
}

/** A handshake the server refuses: the exact error record, then the socket closes. */
async function refused(ctx, url, request, error) {
  const peer = new RawPeer(ctx, url);
  await within(peer.opened, 3000, 'the WebSocket opening');
  peer.send(request);
  const answer = await peer.next(3000, 'the handshake response');
  eq(frameText(answer), JSON.stringify({ error }) + RS, `the answer to ${JSON.stringify(request)}`);
  await within(peer.closed, 3000, 'the socket closing after a refused handshake');
}

// ---------------------------------------------------------------------------------------------
// Scenarios: (ctx, urls) => Promise; `needs: 'timeouts'` runs against the short-timeout server.

const HUB_ERROR = (method, message) => `An unexpected error occurred invoking '${method}' on the server. HubException: ${message}`;
const BINDING_ERROR = (method) => `Failed to invoke '${method}' due to an error on the server.`;

const scenarios = [
  {
    name: 'handshake',
    async run(ctx, { base }) {
      const peer = await rawHandshake(ctx, base, ctx.protocol);
      peer.socket.close();
      const c = await connect(ctx, base);
      eq(c.state, signalR.HubConnectionState.Connected, 'the official client after start');
    },
  },
  {
    name: 'handshake-unknown-protocol',
    async run(ctx, { base }) {
      await refused(ctx, base, '{"protocol":"xml","version":1}' + RS, "The protocol 'xml' is not supported.");
    },
  },
  {
    name: 'handshake-unsupported-version',
    async run(ctx, { base }) {
      const request = JSON.stringify({ protocol: ctx.protocol, version: 99 }) + RS;
      await refused(ctx, base, request, `The server does not support version 99 of the '${ctx.protocol}' protocol.`);
    },
  },
  {
    name: 'echo',
    async run(ctx, { base }) {
      const c = await connect(ctx, base);
      const texts = [
        'plain',
        '',
        'emoji 😀🎉 and an astral clef 𝄞',
        'quotes "double" \'single\' and a \\ backslash',
        'new\nline, CRLF\r\n and a tab\t',
        'line separator \u2028 and paragraph separator \u2029',
        'record separator \u001e and NUL \u0000 inside',
        'é€中文ßΩ',
      ];
      for (const text of texts) eq(await c.invoke('Echo', text), text, `Echo(${JSON.stringify(text)})`);
      // .NET matches hub method names case-insensitively.
      eq(await c.invoke('echo', 'lower case'), 'lower case', 'echo (lower case method name)');
    },
  },
  {
    name: 'add',
    async run(ctx, { base }) {
      const c = await connect(ctx, base);
      const cases = [
        [40, 2, 42],
        [-7, 3, -4],
        [0, 0, 0],
        [2 ** 40, 2 ** 40, 2 ** 41],
        [Number.MAX_SAFE_INTEGER - 1, 1, Number.MAX_SAFE_INTEGER],
        [-(2 ** 52), -(2 ** 52), -(2 ** 53)],
      ];
      for (const [a, b, sum] of cases) eq(await c.invoke('Add', a, b), sum, `Add(${a}, ${b})`);
      // Many at once: the server runs one at a time (MaximumParallelInvocationsPerClient 1).
      const many = await Promise.all([...Array(200).keys()].map((i) => c.invoke('Add', i, 1000)));
      eq(many, [...Array(200).keys()].map((i) => i + 1000), '200 concurrent Add calls');
    },
  },
  {
    name: 'counter',
    async run(ctx, { base }) {
      const c = await connect(ctx, base);
      const collect = (count, delay) =>
        new Promise((resolve, reject) => {
          const items = [];
          c.stream('Counter', count, delay).subscribe({ next: (i) => items.push(i), complete: () => resolve(items), error: reject });
        });
      eq(await collect(5, 10), [0, 1, 2, 3, 4], 'Counter(5, 10)');
      eq(await collect(0, 0), [], 'Counter(0, 0)');
      eq(await collect(20, 0), [...Array(20).keys()], 'Counter(20, 0)');
    },
  },
  {
    name: 'counter-cancel',
    async run(ctx, { base }) {
      const c = await connect(ctx, base);
      const count = 1000;
      const items = [];
      let ended = null;
      await new Promise((resolve) => {
        const subscription = c.stream('Counter', count, 20).subscribe({
          next: (i) => {
            items.push(i);
            if (items.length === 3) {
              subscription.dispose();
              resolve();
            }
          },
          complete: () => (ended = 'complete'),
          error: (e) => (ended = `error ${e.message}`),
        });
      });
      const stats = await until(async () => {
        const s = await c.invoke('Stats');
        return s.cancelled >= 1 && s;
      }, 'Stats().cancelled after disposing the subscription');
      eq(stats.cancelled, 1, 'Stats().cancelled');
      check(stats.itemsBeforeCancel >= 3 && stats.itemsBeforeCancel < count, `Stats().itemsBeforeCancel ${stats.itemsBeforeCancel} is not in [3, ${count})`);
      eq(items.slice(0, 3), [0, 1, 2], 'the items before the cancel');
      eq(ended, null, 'the disposed subscription is not called back');
      eq(await c.invoke('Echo', 'after cancel'), 'after cancel', 'Echo after the cancel');
    },
  },
  {
    name: 'sum-upload',
    async run(ctx, { base }) {
      const c = await connect(ctx, base);
      const upload = async (items) => {
        const subject = new signalR.Subject();
        const sum = c.invoke('Sum', subject);
        for (const i of items) subject.next(i);
        subject.complete();
        return within(sum, 5000, 'Sum');
      };
      eq(await upload([1, 2, 3, 36]), 42, 'Sum of [1, 2, 3, 36]');
      eq(await upload([]), 0, 'Sum of []');
      // More items than the server's upload buffer (StreamBufferCapacity, 10).
      const many = [...Array(50).keys()].map((i) => i + 1);
      eq(await upload(many), 1275, 'Sum of 1..50');
    },
  },
  {
    name: 'throw',
    async run(ctx, { base }) {
      const c = await connect(ctx, base);
      const e = await rejection(c.invoke('Throw', 'boom 😀'), 'Throw');
      eq(e.message, HUB_ERROR('Throw', 'boom 😀'), 'the Throw error');
      eq(await c.invoke('Echo', 'after Throw'), 'after Throw', 'Echo after Throw');
    },
  },
  {
    name: 'notify',
    async run(ctx, { base }) {
      const notified = [];
      const c = await connect(ctx, base, { handlers: { Notified: (text) => void notified.push(text) } });
      await c.invoke('Notify', 'hello "you" 😀');
      // The server calls the client before it completes the invocation.
      eq(notified, ['hello "you" 😀'], 'Notified calls when Notify completed');
      await c.send('Notify', 'sent');
      await until(() => notified.length >= 2, 'Notified after send("Notify")');
      eq(notified, ['hello "you" 😀', 'sent'], 'Notified calls');
    },
  },
  {
    name: 'close-me',
    clientErrors: true,
    async run(ctx, { base }) {
      const c = await connect(ctx, base);
      const call = c.invoke('CloseMe', 'bye now').catch((e) => e);
      const error = await within(c.closed, 5000, 'onclose after CloseMe');
      check(error, 'onclose without an error');
      // The test hub closes with .NET's text for a HubException's message.
      eq(error.message, 'Server returned an error on close: Connection closed with an error. HubException: bye now', 'the close error');
      await within(call, 3000, 'the CloseMe invocation settling');
      eq(c.state, signalR.HubConnectionState.Disconnected, 'the state after CloseMe');
    },
  },
  {
    name: 'drop-transport',
    async run(ctx, { base }) {
      const notified = [];
      const c = await connect(ctx, base, { handlers: { Notified: (text) => void notified.push(text) } });
      let reconnecting = false;
      c.onreconnecting(() => (reconnecting = true));
      eq(await c.invoke('Add', 10, 1), 11, 'Add before the drop');
      // Everything below is in flight while the transport drops and comes back.
      const before = c.send('Notify', 'before');
      const add1 = c.invoke('Add', 1, 1);
      // The completion of DropTransport can only come over the client's second WebSocket.
      const drop = c.invoke('DropTransport').then((result) => [result, ctx.log.transports]);
      const add2 = c.invoke('Add', 2, 2);
      const after = c.send('Notify', 'after');
      const add3 = c.invoke('Add', 3, 3);
      const more = [...Array(30).keys()].map((i) => c.invoke('Add', i, 100));
      const results = await within(Promise.all([add1, drop, add2, add3, before, after]), 8000, 'the calls around DropTransport');
      eq(results.slice(0, 4), [2, ['dropped', 2], 4, 6], 'the results around DropTransport [.., [result, WebSockets opened by then], ..]');
      eq(await Promise.all(more), [...Array(30).keys()].map((i) => i + 100), 'the 30 Add calls after the drop');
      await until(() => notified.length >= 2, 'both Notified calls');
      await sleep(200); // a replayed duplicate would arrive now
      eq(notified, ['before', 'after'], 'Notified calls (none lost, none twice)');
      const stats = await c.invoke('Stats');
      eq(stats.dropCalls, 1, 'Stats().dropCalls (the server ran DropTransport once)');
      check(stats.reattached >= 1, `Stats().reattached is ${stats.reattached}`);
      eq(c.state, signalR.HubConnectionState.Connected, 'the state after the drop');
      eq(reconnecting, false, 'onreconnecting called (the connection should have resumed, not restarted)');
      eq(await c.invoke('Echo', 'after the drop'), 'after the drop', 'Echo after the drop');
    },
  },
  {
    name: 'stats',
    async run(ctx, { base }) {
      const stateful = await connect(ctx, base);
      const s = await until(async () => {
        const s = await stateful.invoke('Stats');
        return s.pingsReceived >= 1 && s;
      }, 'Stats().pingsReceived (the client pings after the handshake)');
      eq([s.protocol, s.handshakeVersion, s.stateful], [ctx.protocol, 2, true], 'Stats() with stateful reconnect: [protocol, handshakeVersion, stateful]');
      eq(s.dropCalls, 0, 'Stats().dropCalls');
      eq(s.cancelled, 0, 'Stats().cancelled');
      const plain = await connect(ctx, base, { stateful: false });
      const p = await plain.invoke('Stats');
      eq([p.protocol, p.handshakeVersion, p.stateful], [ctx.protocol, 1, false], 'Stats() without stateful reconnect: [protocol, handshakeVersion, stateful]');
      check(p.pingsReceived >= 1, `Stats().pingsReceived is ${p.pingsReceived} without stateful reconnect`);
    },
  },
  {
    name: 'binding-errors',
    async run(ctx, { base }) {
      const c = await connect(ctx, base);
      const failures = [
        ['Add', [1], BINDING_ERROR('Add'), 'too few arguments'],
        ['Add', [1, 2, 3], BINDING_ERROR('Add'), 'too many arguments'],
        ['Add', ['x', 2], BINDING_ERROR('Add'), 'a string for an int64'],
        ['Add', [1.5, 2], BINDING_ERROR('Add'), 'a fraction for an int64'],
        ['Echo', [42], BINDING_ERROR('Echo'), 'a number for a string'],
        ['Nope', [], `${BINDING_ERROR('Nope')} HubException: Method does not exist.`, 'an unknown method'],
        ['Counter', [1, 0], "The client attempted to invoke the streaming 'Counter' method with a non-streaming invocation.", 'a stream method invoked'],
      ];
      for (const [method, args, expected, what] of failures) {
        const e = await rejection(c.invoke(method, ...args), what);
        eq(e.message, expected, `${method}(${args.map((a) => JSON.stringify(a)).join(', ')}), ${what}`);
      }
      const streamed = await rejection(
        new Promise((resolve, reject) => c.stream('Add', 1, 2).subscribe({ next: () => {}, complete: resolve, error: reject })),
        'Add streamed',
      );
      eq(streamed.message, "The client attempted to invoke the non-streaming 'Add' method with a streaming invocation.", 'stream("Add", 1, 2)');
      eq(c.state, signalR.HubConnectionState.Connected, 'the state after the errors');
      eq(await c.invoke('Echo', 'still open'), 'still open', 'Echo after the errors');
    },
  },
  {
    name: 'size-limit',
    clientErrors: true,
    async run(ctx, { base }) {
      const c = await connect(ctx, base);
      const under = 'u'.repeat(30000);
      eq(await c.invoke('Echo', under), under, 'Echo of 30,000 characters (under the 32 KB limit)');
      const call = c.invoke('Echo', 'o'.repeat(40000)).catch((e) => e);
      const error = await within(c.closed, 5000, 'onclose after a 40,000-character message');
      check(error, 'onclose without an error');
      // .NET without detailed errors: no details after the generic text.
      eq(error.message, 'Server returned an error on close: Connection closed with an error.', 'the close error');
      const settled = await within(call, 3000, 'the oversized Echo settling');
      check(settled instanceof Error, `the oversized Echo resolved with ${JSON.stringify(settled)}`);
    },
  },
  {
    name: 'keep-alive',
    needs: 'timeouts',
    async run(ctx, { timeouts }) {
      const c = await connect(ctx, timeouts, { keepAliveMs: 200, serverTimeoutMs: 1000 });
      let closedEarly = null;
      c.closed.then((e) => (closedEarly = e || new Error('closed without an error')));
      await sleep(2500);
      check(!closedEarly, `the idle connection closed: ${closedEarly && closedEarly.message}`);
      eq(await c.invoke('Echo', 'after idling'), 'after idling', 'Echo after 2.5 s idle');
      const s = await c.invoke('Stats');
      check(s.pingsSent >= 1, `Stats().pingsSent is ${s.pingsSent}`);
      check(s.pingsReceived >= 2, `Stats().pingsReceived is ${s.pingsReceived}`);
    },
  },
  {
    name: 'silent-peer-timed-out',
    needs: 'timeouts',
    async run(ctx, { timeouts }) {
      const peer = await rawHandshake(ctx, timeouts, ctx.protocol);
      const start = Date.now();
      const { at } = await within(peer.closed, 5000, 'the server closing a silent peer');
      const elapsed = at - start;
      check(elapsed >= 700 && elapsed <= 3000, `closed after ${elapsed} ms, expected about 1000 (client-timeout)`);
    },
  },
  {
    name: 'server-timeout',
    clientErrors: true,
    async run(ctx, { base }) {
      // The default server pings every 15 s: a client expecting traffic within 800 ms gives up.
      const c = await connect(ctx, base, { keepAliveMs: 200, serverTimeoutMs: 800 });
      const start = Date.now();
      const error = await within(c.closed, 4000, 'onclose on the server timeout');
      const elapsed = Date.now() - start;
      check(error, 'onclose without an error');
      eq(error.message, 'Server timeout elapsed without receiving a message from the server.', 'the close error');
      check(elapsed >= 500 && elapsed <= 3000, `timed out after ${elapsed} ms, expected about 800`);
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Runner

async function runScenario(protocol, scenario, urls) {
  const ctx = { protocol, log: new Log(), connections: [], sockets: [] };
  const started = Date.now();
  const line = { protocol, scenario: scenario.name };
  if (scenario.needs && !urls[scenario.needs]) {
    line.skipped = `needs --${scenario.needs} URL`;
    return line;
  }
  try {
    await within(scenario.run(ctx, urls), SCENARIO_DEADLINE_MS, `scenario ${scenario.name}`);
    // The client logs an error when the server misbehaves in a way the scenario may not see
    // (e.g. an unexpected message); scenarios that end in an error expect some.
    if (!scenario.clientErrors) check(ctx.log.errors.length === 0, `the client logged errors: ${ctx.log.errors.join(' | ')}`);
    line.ok = true;
  } catch (e) {
    line.ok = false;
    line.error = e instanceof AssertionError ? e.message : String((e && e.stack) || e);
    line.log = ctx.log.lines.slice(-15);
  }
  line.ms = Date.now() - started;
  for (const c of ctx.connections) await within(c.stop(), 2000, 'stop').catch(() => {});
  for (const s of ctx.sockets) s.terminate();
  return line;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const urls = { base: args.base, timeouts: args.timeouts };
  let failed = 0;
  let ran = 0;
  for (const protocol of args.protocols) {
    for (const scenario of scenarios) {
      if (args.only && scenario.name !== args.only) continue;
      const line = await runScenario(protocol, scenario, urls);
      ran++;
      if (line.ok === false) failed++;
      process.stdout.write(JSON.stringify(line) + '\n');
    }
  }
  if (ran === 0) usage(`no scenario named ${args.only}`);
  return failed;
}

// A rejection nobody waits for (e.g. a send cut short by a close) is not a failure by itself.
process.on('unhandledRejection', (e) => process.stderr.write(`e2e.cjs: unhandled rejection: ${(e && e.message) || e}\n`));
const watchdog = setTimeout(() => {
  process.stdout.write(JSON.stringify({ scenario: 'run', ok: false, error: `the run exceeded ${RUN_DEADLINE_MS} ms` }) + '\n');
  process.exit(1);
}, RUN_DEADLINE_MS);
main().then(
  (failed) => {
    clearTimeout(watchdog);
    process.exit(failed ? 1 : 0);
  },
  (e) => {
    process.stdout.write(JSON.stringify({ scenario: 'run', ok: false, error: String((e && e.stack) || e) }) + '\n');
    process.exit(1);
  },
);
