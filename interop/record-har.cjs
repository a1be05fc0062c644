// Records HAR files of the official SignalR browser client in Debian's headless Chromium,
// against codec-tokio's test-hub, one per scenario of record-har/scenarios.js: the fixtures of
// `signalr-codec doctor` (codec-cli/tests/fixtures/har/).
//
//   node interop/record-har.cjs OUT_DIR [--hub PATH] [--scenario NAME] [--verbose]
//
// Builds the test hub (`cargo build -p signalr-codec-tokio --example test-hub`) unless --hub
// names its binary. Runs `chromium` (Debian's), or the browser the CHROMIUM variable names. For each scenario: starts the hub on a free loopback port (serving
// interop/ as its static root for the page and the client's bundles), opens the page in a
// fresh browser context, waits for the scenario's outcome, and writes OUT_DIR/NAME.har. Exits
// 1 when a scenario did not behave as it should (the page checks what the client saw).
//
// No browser-automation package: Chromium speaks the DevTools protocol over a pipe
// (--remote-debugging-pipe: JSON messages ended by NUL on file descriptors 3 and 4), and the HAR
// is built here from the Network domain's events, WebSocket frames included in Chromium's
// `_webSocketMessages` layout ({type: "send"|"receive", time: seconds since the epoch, opcode,
// data}; binary data in base64, as the protocol hands it over). Response bodies are kept for
// the page's fetch/XHR requests (negotiate, long polling); the page and its scripts are kept
// without content, which says nothing about SignalR and would make each file 400 KB.

'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SCENARIO_DEADLINE_MS = 20000;
// What the hub needs per scenario beyond its defaults.
const HUB_FLAGS = { 'websockets-refused': ['--refuse-websockets'] };
const SCENARIOS = [
  'healthy-json',
  'healthy-messagepack',
  'wrong-path',
  'cors-missing',
  'websockets-refused',
  'oversized',
  'close-error',
  'server-timeout',
  'dropped-transport',
  'dropped-and-resumed',
];

function usage(why) {
  process.stderr.write(`record-har.cjs: ${why}\nusage: node interop/record-har.cjs OUT_DIR [--hub PATH] [--scenario NAME] [--verbose]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { out: undefined, hub: undefined, scenarios: SCENARIOS, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--hub') args.hub = argv[++i];
    else if (a === '--scenario') args.scenarios = [argv[++i]];
    else if (a === '--verbose') args.verbose = true;
    else if (!args.out && !a.startsWith('--')) args.out = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!args.out) usage('the output directory is missing');
  for (const s of args.scenarios) if (!SCENARIOS.includes(s)) usage(`no scenario '${s}' (${SCENARIOS.join(', ')})`);
  return args;
}

// ---------------------------------------------------------------------------------------------
// The test hub

function buildHub() {
  const built = spawnSync('cargo', ['build', '-q', '-p', 'signalr-codec-tokio', '--example', 'test-hub'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0) throw new Error('cargo build of the test hub failed');
  const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
  return path.join(targetDir, 'debug', 'examples', 'test-hub');
}

// Starts the hub on a free port: resolves to {base, stop}.
function startHub(binary, flags) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['127.0.0.1:0', '--static', path.join(ROOT, 'interop'), ...flags], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the test hub exited (${code}) before listening`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        child.removeAllListeners('exit');
        resolve({
          base: `http://${m[1]}`,
          stop: () =>
            new Promise((done) => {
              child.once('exit', done);
              child.kill();
            }),
        });
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Chromium over the DevTools pipe

class Browser {
  constructor(verbose) {
    this.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'record-har-profile-'));
    const flags = [
      '--headless',
      // Root (CI, this machine) has no user namespace sandbox for Chromium.
      '--no-sandbox',
      '--remote-debugging-pipe',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      `--user-data-dir=${this.profile}`,
      'about:blank',
    ];
    this.child = spawn(process.env.CHROMIUM || 'chromium', flags, {
      stdio: ['ignore', 'ignore', verbose ? 'inherit' : 'ignore', 'pipe', 'pipe'],
    });
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.buffer = Buffer.alloc(0);
    this.exited = new Promise((resolve) => this.child.on('exit', resolve));
    this.child.stdio[4].on('data', (chunk) => this.receive(chunk));
    const fail = (why) => {
      this.failure = this.failure || why;
      for (const { reject } of this.pending.values()) reject(new Error(why));
      this.pending.clear();
    };
    this.child.on('exit', (code) => fail(`chromium exited (${code})`));
    this.child.on('error', (e) => fail(`chromium could not be started (${e.message}): install Debian's chromium, or set CHROMIUM`));
    this.child.stdio[3].on('error', (e) => fail(`the DevTools pipe to chromium failed (${e.message})`));
  }

  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let end;
    while ((end = this.buffer.indexOf(0)) >= 0) {
      const message = JSON.parse(this.buffer.subarray(0, end).toString('utf8'));
      this.buffer = this.buffer.subarray(end + 1);
      if (message.id !== undefined) {
        const call = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (!call) continue;
        if (message.error) call.reject(new Error(`${call.method}: ${message.error.message}`));
        else call.resolve(message.result);
      } else {
        for (const listener of this.listeners) listener(message);
      }
    }
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(new Error(this.failure));
      this.pending.set(id, { resolve, reject, method });
      this.child.stdio[3].write(`${JSON.stringify(message)}\0`);
    });
  }

  async close() {
    await this.send('Browser.close').catch(() => {});
    let timer;
    await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// HAR from Network events

const headerList = (headers = {}) =>
  Object.entries(headers).flatMap(([name, value]) => String(value).split('\n').map((v) => ({ name, value: v })));

function queryString(url) {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

const iso = (seconds) => new Date(seconds * 1000).toISOString();
const ms = (seconds) => Math.round(seconds * 1e6) / 1e3;

// Phases of one request (ms) from Chromium's ResourceTiming, each -1 when it did not happen.
function timings(timing, finished) {
  if (!timing) return { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 0, receive: 0 };
  const span = (a, b) => (a >= 0 && b >= 0 ? Math.max(0, b - a) : -1);
  const firstPhase = [timing.dnsStart, timing.connectStart, timing.sendStart].find((t) => t >= 0) ?? 0;
  const headersEnd = Math.max(timing.receiveHeadersEnd, timing.sendEnd);
  const end = finished !== undefined ? (finished - timing.requestTime) * 1000 : headersEnd;
  const round = (t) => (t < 0 ? -1 : Math.round(t * 1000) / 1000);
  return {
    blocked: round(firstPhase),
    dns: round(span(timing.dnsStart, timing.dnsEnd)),
    ssl: round(span(timing.sslStart, timing.sslEnd)),
    connect: round(span(timing.connectStart, timing.connectEnd)),
    send: round(Math.max(0, timing.sendEnd - timing.sendStart)),
    wait: round(Math.max(0, headersEnd - timing.sendEnd)),
    receive: round(Math.max(0, end - headersEnd)),
  };
}

// Collects one page's Network events and turns them into HAR entries.
class Recorder {
  constructor() {
    this.requests = new Map();
    this.order = [];
  }

  get(id) {
    let r = this.requests.get(id);
    if (!r) {
      r = { id, frames: [] };
      this.requests.set(id, r);
      this.order.push(id);
    }
    return r;
  }

  // The wall time (s since the epoch) of a monotonic `timestamp` of this request.
  wall(r, timestamp) {
    return r.wallTime + (timestamp - r.timestamp);
  }

  event({ method, params }) {
    switch (method) {
      case 'Network.requestWillBeSent': {
        const r = this.get(params.requestId);
        Object.assign(r, {
          request: params.request,
          type: params.type,
          initiator: params.initiator,
          timestamp: params.timestamp,
          wallTime: params.wallTime,
        });
        break;
      }
      case 'Network.responseReceived':
        this.get(params.requestId).response = params.response;
        break;
      case 'Network.loadingFinished':
        Object.assign(this.get(params.requestId), { finished: params.timestamp, encodedLength: params.encodedDataLength });
        break;
      case 'Network.loadingFailed':
        Object.assign(this.get(params.requestId), { finished: params.timestamp, error: params.errorText });
        break;
      case 'Network.webSocketCreated':
        Object.assign(this.get(params.requestId), { websocket: true, url: params.url, initiator: params.initiator });
        break;
      case 'Network.webSocketWillSendHandshakeRequest': {
        const r = this.get(params.requestId);
        Object.assign(r, { timestamp: params.timestamp, wallTime: params.wallTime, handshakeRequest: params.request });
        break;
      }
      case 'Network.webSocketHandshakeResponseReceived':
        Object.assign(this.get(params.requestId), { handshakeResponse: params.response, handshakeAt: params.timestamp });
        break;
      case 'Network.webSocketFrameSent':
      case 'Network.webSocketFrameReceived':
        this.get(params.requestId).frames.push({
          type: method === 'Network.webSocketFrameSent' ? 'send' : 'receive',
          timestamp: params.timestamp,
          opcode: params.response.opcode,
          data: params.response.payloadData,
        });
        break;
      case 'Network.webSocketFrameError':
        Object.assign(this.get(params.requestId), { error: params.errorMessage, finished: params.timestamp });
        break;
      case 'Network.webSocketClosed':
        this.get(params.requestId).finished = params.timestamp;
        break;
      default:
    }
  }

  // Fetch/XHR bodies, asked for before the page goes.
  async bodies(browser, sessionId) {
    for (const r of this.requests.values()) {
      if (!r.response || r.websocket || !['Fetch', 'XHR', 'EventSource'].includes(r.type)) continue;
      try {
        r.body = await browser.send('Network.getResponseBody', { requestId: r.id }, sessionId);
      } catch {
        // No body (a 204, a failed request): the HAR says so by leaving text out.
      }
      if (r.request && r.request.hasPostData && r.request.postData === undefined) {
        try {
          r.request.postData = (await browser.send('Network.getRequestPostData', { requestId: r.id }, sessionId)).postData;
        } catch {
          // The post data is gone.
        }
      }
    }
  }

  entries() {
    return this.order
      .map((id) => this.requests.get(id))
      .filter((r) => r.timestamp !== undefined && r.wallTime !== undefined)
      .map((r) => (r.websocket ? this.websocketEntry(r) : this.httpEntry(r)));
  }

  httpEntry(r) {
    const req = r.request;
    const res = r.response;
    const t = timings(res && res.timing, r.finished);
    const time = Object.values(t).reduce((sum, v) => sum + Math.max(0, v), 0);
    const content = { size: res ? res.encodedDataLength || 0 : 0, mimeType: res ? res.mimeType : 'x-unknown' };
    if (r.body) {
      content.text = r.body.body;
      if (r.body.base64Encoded) content.encoding = 'base64';
      content.size = r.body.base64Encoded ? Buffer.from(r.body.body, 'base64').length : Buffer.byteLength(r.body.body);
    }
    const entry = {
      _initiator: r.initiator ? { type: r.initiator.type } : undefined,
      _resourceType: (r.type || 'other').toLowerCase(),
      cache: {},
      request: {
        method: req.method,
        url: req.url,
        httpVersion: res && res.protocol ? res.protocol : '',
        headers: headerList(req.headers),
        queryString: queryString(req.url),
        cookies: [],
        headersSize: -1,
        bodySize: req.postData ? Buffer.byteLength(req.postData) : 0,
      },
      response: {
        status: res ? res.status : 0,
        statusText: res ? res.statusText : '',
        httpVersion: res && res.protocol ? res.protocol : '',
        headers: headerList(res && res.headers),
        cookies: [],
        content,
        redirectURL: '',
        headersSize: -1,
        bodySize: -1,
        _transferSize: r.encodedLength || 0,
        _error: r.error || null,
      },
      serverIPAddress: res && res.remoteIPAddress ? res.remoteIPAddress : '',
      startedDateTime: iso(r.wallTime),
      time: Math.round(time * 1000) / 1000,
      timings: t,
    };
    if (req.postData !== undefined) {
      const type = (req.headers && (req.headers['Content-Type'] || req.headers['content-type'])) || '';
      entry.request.postData = { mimeType: type, text: req.postData };
    }
    return entry;
  }

  websocketEntry(r) {
    const res = r.handshakeResponse;
    const url = r.url || (r.request && r.request.url);
    const end = r.finished ?? r.handshakeAt ?? r.timestamp;
    const wait = r.handshakeAt !== undefined ? ms(r.handshakeAt - r.timestamp) : 0;
    const time = ms(end - r.timestamp);
    return {
      _initiator: r.initiator ? { type: r.initiator.type } : undefined,
      _resourceType: 'websocket',
      cache: {},
      request: {
        method: 'GET',
        url,
        httpVersion: 'HTTP/1.1',
        headers: headerList(r.handshakeRequest && r.handshakeRequest.headers),
        queryString: queryString(url),
        cookies: [],
        headersSize: -1,
        bodySize: 0,
      },
      response: {
        status: res ? res.status : 0,
        statusText: res ? res.statusText : '',
        httpVersion: 'HTTP/1.1',
        headers: headerList(res && res.headers),
        cookies: [],
        content: { size: 0, mimeType: 'x-unknown' },
        redirectURL: '',
        headersSize: -1,
        bodySize: 0,
        _transferSize: 0,
        _error: r.error || null,
      },
      serverIPAddress: '',
      startedDateTime: iso(r.wallTime),
      time,
      timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait, receive: Math.max(0, ms(end - r.timestamp) - wait) },
      _webSocketMessages: r.frames.map((f) => ({
        type: f.type,
        time: this.wall(r, f.timestamp),
        opcode: f.opcode,
        data: f.data,
      })),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// One scenario

async function record(browser, hubBinary, name, verbose) {
  const hub = await startHub(hubBinary, HUB_FLAGS[name] || []);
  const { browserContextId } = await browser.send('Target.createBrowserContext');
  const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank', browserContextId });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  const recorder = new Recorder();
  const pageLog = []; // the client's console lines, shown when the scenario fails
  const listener = (message) => {
    if (message.sessionId !== sessionId) return;
    if (message.method.startsWith('Network.')) recorder.event(message);
    if (message.method === 'Runtime.consoleAPICalled') {
      pageLog.push(message.params.args.map((a) => a.value ?? a.description ?? '').join(' '));
    }
    if (message.method === 'Runtime.exceptionThrown') pageLog.push(`exception: ${message.params.exceptionDetails.text}`);
  };
  browser.listeners.add(listener);
  try {
    await browser.send('Network.enable', { maxPostDataSize: 65536 }, sessionId);
    await browser.send('Runtime.enable', {}, sessionId);
    await browser.send('Page.enable', {}, sessionId);
    const loaded = new Promise((resolve) => {
      const onLoad = (m) => {
        if (m.sessionId === sessionId && m.method === 'Page.loadEventFired') {
          browser.listeners.delete(onLoad);
          resolve();
        }
      };
      browser.listeners.add(onLoad);
    });
    const url = `${hub.base}/record-har/page.html?scenario=${encodeURIComponent(name)}`;
    const nav = await browser.send('Page.navigate', { url }, sessionId);
    if (nav.errorText) throw new Error(`${url}: ${nav.errorText}`);
    await loaded;
    const evaluation = browser.send(
      'Runtime.evaluate',
      { expression: 'window.recording', awaitPromise: true, returnByValue: true },
      sessionId,
    );
    let timer;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no outcome within ${SCENARIO_DEADLINE_MS} ms`)), SCENARIO_DEADLINE_MS);
    });
    const { result } = await Promise.race([evaluation, deadline]).finally(() => clearTimeout(timer));
    // The last frames and the sockets' ends arrive just after the client reports.
    await new Promise((r) => setTimeout(r, 300));
    await recorder.bodies(browser, sessionId);
    const outcome = result.value || { ok: false, error: 'the page gave no outcome' };
    if (verbose || !outcome.ok) for (const line of pageLog) process.stderr.write(`  [${name}] ${line}\n`);
    return { outcome, entries: recorder.entries() };
  } finally {
    browser.listeners.delete(listener);
    await browser.send('Target.closeTarget', { targetId }).catch(() => {});
    await browser.send('Target.disposeBrowserContext', { browserContextId }).catch(() => {});
    await hub.stop();
  }
}

async function main() {
  // Until every scenario is written: a run that stops early (a promise nothing settles) fails.
  process.exitCode = 1;
  const args = parseArgs(process.argv.slice(2));
  const hubBinary = args.hub ? path.resolve(args.hub) : buildHub();
  fs.mkdirSync(args.out, { recursive: true });
  const browser = new Browser(args.verbose);
  let failed = 0;
  try {
    const { product } = await browser.send('Browser.getVersion');
    for (const name of args.scenarios) {
      const started = Date.now();
      const { outcome, entries } = await record(browser, hubBinary, name, args.verbose);
      const har = {
        log: {
          version: '1.2',
          creator: { name: 'signalr-codec interop/record-har.cjs', version: '1' },
          browser: { name: 'Chromium (headless)', version: product.replace(/^[^/]*\//, '') },
          pages: [],
          entries,
        },
      };
      const file = path.join(args.out, `${name}.har`);
      fs.writeFileSync(file, `${JSON.stringify(har, null, 1)}\n`);
      const frames = entries.reduce((n, e) => n + (e._webSocketMessages ? e._webSocketMessages.length : 0), 0);
      const status = outcome.ok ? 'ok' : `FAILED: ${outcome.error}`;
      process.stdout.write(`${name}: ${status} (${entries.length} entries, ${frames} WebSocket frames, ${Date.now() - started} ms) -> ${file}\n`);
      if (!outcome.ok) failed++;
    }
  } finally {
    await browser.close();
  }
  if (failed) {
    process.stderr.write(`${failed} scenario(s) failed\n`);
    process.exit(1);
  }
  process.exitCode = 0;
}

main().catch((e) => {
  process.stderr.write(`record-har.cjs: ${e.stack || e}\n`);
  process.exit(1);
});
