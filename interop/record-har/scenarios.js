// The scenarios interop/record-har.cjs records: each drives the official SignalR browser client
// (loaded by page.html) against codec-tokio's test-hub on this page's origin, and checks that
// the client saw what the scenario is about, so a recording of the wrong thing fails loudly.
//
// The page runs `?scenario=NAME` on load and leaves the outcome in `window.recording`: a promise
// of {ok: true} or {ok: false, error}.

'use strict';

(function () {
  const signalR = window.signalR;

  function check(condition, what) {
    if (!condition) throw new Error(what);
  }

  function eq(actual, expected, what) {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function within(promise, ms, what) {
    return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`no ${what} within ${ms} ms`)))]);
  }

  // A connection to `path` (built, not started) and a promise of the error onclose reports.
  function build(path, { protocol = 'json', stateful = false, skipNegotiation = false } = {}) {
    const options = skipNegotiation ? { skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets } : {};
    let builder = new signalR.HubConnectionBuilder()
      .withUrl(new URL(path, location.href).href, options)
      .configureLogging(signalR.LogLevel.Information);
    if (protocol === 'messagepack') builder = builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
    if (stateful) builder = builder.withStatefulReconnect();
    const connection = builder.build();
    const closed = new Promise((resolve) => connection.onclose((error) => resolve(error)));
    return { connection, closed };
  }

  // A session with every kind of message the test hub answers, ended by the client.
  async function healthy(protocol) {
    const { connection: c, closed } = build('/hub', { protocol, stateful: true });
    const notified = [];
    c.on('Notified', (text) => void notified.push(text));
    await c.start();
    eq(await c.invoke('Echo', 'hello'), 'hello', 'Echo');
    eq(await c.invoke('Add', 2, 3), 5, 'Add');
    const items = [];
    await new Promise((resolve, reject) =>
      c.stream('Counter', 3, 10).subscribe({ next: (i) => void items.push(i), complete: resolve, error: reject }),
    );
    eq(items, [0, 1, 2], 'Counter items');
    const upload = new signalR.Subject();
    const sum = c.invoke('Sum', upload);
    for (const i of [1, 2, 3]) upload.next(i);
    upload.complete();
    eq(await sum, 6, 'Sum of an upload stream');
    await c.send('Notify', 'hi');
    const thrown = await c.invoke('Throw', 'on purpose').then(() => null, (e) => e);
    check(thrown && /on purpose|An unexpected error occurred/.test(thrown.message), `Throw rejected with ${thrown}`);
    // Long enough for an Ack each way (the client acknowledges after 1 s).
    await sleep(1500);
    eq(notified, ['hi'], 'Notified calls');
    await c.stop();
    eq(await within(closed, 3000, 'onclose after stop()'), undefined, 'the error after stop()');
  }

  // The client fails to start; `expected` matches its error.
  async function failsToStart(path, options, expected) {
    const { connection } = build(path, options);
    const error = await connection.start().then(() => null, (e) => e);
    check(error, 'start() succeeded');
    check(expected.test(error.message), `start() failed with "${error.message}", not ${expected}`);
  }

  // A connected client that `act` makes the server close; onclose must report `expected`.
  async function serverCloses(act, expected) {
    const { connection: c, closed } = build('/hub');
    await c.start();
    eq(await c.invoke('Echo', 'before'), 'before', 'Echo before');
    const call = act(c).then(() => null, (e) => e);
    const error = await within(closed, 5000, 'onclose');
    check(error, 'onclose without an error');
    check(expected.test(error.message), `onclose reported "${error.message}", not ${expected}`);
    check(await within(call, 3000, 'the call settling'), 'the call did not fail');
  }

  const scenarios = {
    'healthy-json': () => healthy('json'),
    'healthy-messagepack': () => healthy('messagepack'),
    // The hub is at /hub: negotiate at /nohub answers 404.
    'wrong-path': () => failsToStart('/nohub', {}, /404/),
    // The hub on another origin (localhost for a page from 127.0.0.1) that sends no CORS
    // headers: the browser's preflight is refused and negotiate never gets an answer.
    'cors-missing': () => {
      const other = new URL('/hub', location.href);
      other.hostname = 'localhost';
      return failsToStart(other.href, {}, /Failed to fetch|Failed to complete negotiation/);
    },
    // Run against `test-hub --refuse-websockets`: the only transport's upgrade answers 400.
    'websockets-refused': () =>
      failsToStart('/hub', { skipNegotiation: true }, /WebSocket failed to connect|transport|1006/i),
    // 33,000 characters: over the server's 32 KB MaximumReceiveMessageSize.
    oversized: () =>
      serverCloses((c) => c.invoke('Echo', 'o'.repeat(33000)), /^Server returned an error on close: Connection closed with an error\.$/),
    'close-error': () =>
      serverCloses((c) => c.invoke('CloseMe', 'bye'), /Connection closed with an error\. HubException: bye$/),
    // With stateful reconnect the client opens a second WebSocket with the same id, and the
    // server replays DropTransport's Completion over it: a healthy session with two sockets.
    'dropped-and-resumed': async () => {
      const { connection: c, closed } = build('/hub', { stateful: true });
      let reconnecting = false;
      c.onreconnecting(() => (reconnecting = true));
      await c.start();
      eq(await c.invoke('Add', 1, 2), 3, 'Add before the drop');
      eq(await within(c.invoke('DropTransport'), 5000, 'the DropTransport result'), 'dropped', 'DropTransport');
      eq(await c.invoke('Add', 3, 4), 7, 'Add after the drop');
      eq(reconnecting, false, 'onreconnecting called (the connection should have resumed, not restarted)');
      await sleep(1500);
      await c.stop();
      eq(await within(closed, 3000, 'onclose after stop()'), undefined, 'the error after stop()');
    },
    // A client whose server timeout (2 s) is shorter than the server's keep-alive interval (the
    // default 15 s): after the Echo the server has nothing to say for 15 s, and the client gives
    // up after 2, closing the socket without a Close message. It pings every 500 ms, but the
    // official client arms its ping timer only when something arrives: one ping, then nothing.
    'server-timeout': async () => {
      const { connection: c, closed } = build('/hub');
      c.serverTimeoutInMilliseconds = 2000;
      c.keepAliveIntervalInMilliseconds = 500;
      await c.start();
      eq(await c.invoke('Echo', 'then silence'), 'then silence', 'Echo');
      const error = await within(closed, 5000, 'onclose after the server timeout');
      check(error && /Server timeout elapsed/.test(error.message), `onclose reported ${error}`);
    },
    // Without stateful reconnect the connection ends with its transport.
    'dropped-transport': () => serverCloses((c) => c.invoke('DropTransport'), /WebSocket closed with status code: 1006/),
  };

  const name = new URLSearchParams(location.search).get('scenario');
  window.recording = (async () => {
    const scenario = scenarios[name];
    if (!scenario) return { ok: false, error: `no scenario '${name}' (${Object.keys(scenarios).join(', ')})` };
    try {
      await scenario();
      return { ok: true };
    } catch (e) {
      return { ok: false, error: String(e && e.stack ? e.stack : e) };
    }
  })();
  window.scenarioNames = Object.keys(scenarios);
})();
