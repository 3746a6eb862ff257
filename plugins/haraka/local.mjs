// A relay on loopback made of the real parts: Haraka (from this package's node_modules) with
// haraka-plugin-sendguard, forwarding to a downstream SMTP server (smtp-server) that records
// what arrives. Used by the end-to-end tests, `make demo-smtp` and the throughput bench.
// Everything listens on 127.0.0.1 only; a missing part is an error, never a skip.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../testkit/redis.mjs';

const require = createRequire(import.meta.url);
const PLUGIN_DIR = dirname(fileURLToPath(import.meta.url));
const { LIMIT_KEYS } = require('./lib/limits.js');

function requirePart(name, hint) {
  try {
    return require.resolve(name);
  } catch {
    throw new Error(`${name} is not installed: ${hint}`);
  }
}

const INSTALL = 'run npm ci in plugins/haraka';

/** Haraka's package directory. */
function harakaHome() {
  return dirname(requirePart('Haraka/package.json', INSTALL));
}

/** The parts the relay needs; throws naming the missing one. */
export function requireParts() {
  const install = INSTALL;
  const haraka = join(harakaHome(), 'bin', 'haraka');
  requirePart('smtp-server', install);
  requirePart('nodemailer', install);
  requirePart('sendguard', `${install} (after make pkg)`);
  if (!existsSync(join(PLUGIN_DIR, '..', 'webhook', 'node_modules', 'sendguard'))) {
    throw new Error('the shared guard store (plugins/webhook/store.mjs) cannot load sendguard: run npm ci in plugins/webhook');
  }
  return { haraka };
}

/**
 * The downstream server: accepts everything on 127.0.0.1 and records each message as
 * `{ from, to, raw }` in `messages`. Resolves `{ port, messages, close() }`.
 */
export async function startSink({ port = 0, maxBytes = 80 << 20 } = {}) {
  const { SMTPServer } = require('smtp-server');
  const messages = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    size: maxBytes,
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ from: session.envelope.mailFrom?.address ?? '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
        callback(null, 'recorded');
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { port: server.server.address().port, messages, close: () => new Promise((resolve) => server.close(resolve)) };
}

function ini(sections) {
  return Object.entries(sections).map(([name, values]) => `[${name}]\n${Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\n')}\n`).join('\n');
}

/**
 * Writes a Haraka directory in `dir`: listening on 127.0.0.1:`port`, relaying for loopback
 * clients, forwarding to 127.0.0.1:`sinkPort`, and (unless `plugin` is false) running
 * sendguard with `sendguard` (sections of sendguard.ini overriding the package's defaults).
 * `queue` is the queue plugin (`queue/discard` measures Haraka without a next hop); `before`
 * lists plugins that run before sendguard (`auth/flat_file`), `files` more config files.
 */
export function writeHarakaDir({ dir, port, sinkPort, plugin = true, sendguard = {}, maxBytes = 64 << 20, queue = 'queue/smtp_forward', before = [], files: extra = {} }) {
  const config = join(dir, 'config');
  mkdirSync(config, { recursive: true });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  const link = join(dir, 'node_modules', 'haraka-plugin-sendguard');
  if (!existsSync(link)) symlinkSync(PLUGIN_DIR, link, 'dir');
  const files = {
    me: 'relay.sendguard.test',
    host_list: '',
    plugins: ['relay', ...before, ...(plugin ? ['sendguard'] : []), queue].join('\n'),
    'smtp.ini': ini({ main: { listen: `127.0.0.1:${port}` } }),
    // Haraka's own connection.ini (an installed Haraka reads only its own directory's copy),
    // with room for messages up to the engine's limit (64 MiB) instead of 25 MiB
    'connection.ini': readFileSync(join(harakaHome(), 'config', 'connection.ini'), 'utf8').replace(/^bytes=\d+$/m, `bytes=${maxBytes}`),
    'log.ini': ini({ main: { level: 'notice', timestamps: 'false', format: 'default' } }),
    'relay.ini': ini({ relay: { acl: 'true', force_routing: 'false', dest_domains: 'false' } }),
    relay_acl_allow: '127.0.0.1/32',
    'smtp_forward.ini': ini({ main: { host: '127.0.0.1', port: sinkPort, enable_outbound: 'true', enable_tls: 'false', max_connections: 20 } }),
    // a 25 MB message is scanned in about a second; the default 30 s would be enough, but a
    // busy CI machine should answer 451 only when something is really wrong
    'sendguard.timeout': '120',
    'smtp_forward.timeout': '120',
    // limits given replace the package's defaults as a whole, as a test expects
    'sendguard.ini': ini(sendguard.limits ? { ...sendguard, limits: { ...Object.fromEntries(LIMIT_KEYS.map((k) => [k, ''])), ...sendguard.limits } } : sendguard),
  };
  Object.assign(files, extra);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(config, name), text + '\n');
}

function waitListening(port, child, output, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`Haraka exited (${child.exitCode}) before listening:\n${output.join('').slice(-3000)}`));
      const s = connect(port, '127.0.0.1');
      s.once('data', (d) => {
        s.destroy();
        if (/^220 /.test(String(d))) resolve();
        else retry();
      });
      s.once('error', () => {
        s.destroy();
        retry();
      });
    };
    const retry = () => {
      if (Date.now() > deadline) return reject(new Error(`Haraka did not listen on ${port} within ${timeoutMs} ms:\n${output.join('').slice(-3000)}`));
      setTimeout(attempt, 100);
    };
    attempt();
  });
}

/**
 * Starts Haraka on a free loopback port with a directory of its own (or `dir`, reused across a
 * restart). Resolves `{ port, dir, output, stop(), kill() }`; `output` holds what Haraka logged.
 */
export async function startRelay({ sinkPort, plugin = true, sendguard = {}, dir, port, maxBytes, queue, before, files, timeoutMs = 20_000 }) {
  const { haraka } = requireParts();
  const ownDir = dir == null;
  dir ??= mkdtempSync(join(tmpdir(), 'sendguard-haraka-'));
  port ??= await freePort();
  writeHarakaDir({ dir, port, sinkPort, plugin, sendguard, maxBytes, queue, before, files });
  const child = spawn(process.execPath, [haraka, '-c', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HARAKA: dir } });
  const output = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (c) => output.push(c));
  child.stderr.on('data', (c) => output.push(c));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitListening(port, child, output, timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const end = async (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    port,
    dir,
    output,
    /** Lines the plugin logged for each check, parsed. */
    checks: () => output.join('').split('\n').flatMap((line) => {
      const m = /\[sendguard\] (\{"event":"check".*\})\s*$/.exec(line);
      return m ? [JSON.parse(m[1])] : [];
    }),
    stop: async () => {
      await end('SIGTERM');
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
    /** Kills the relay at once (a crash); the directory stays for a restart. */
    kill: () => end('SIGKILL'),
  };
}

/** A nodemailer transport to the relay (`pool` for pooled, pipelined connections; `auth` `{user, pass}`). */
export function transportTo(port, { pool = false, maxConnections = 4, auth } = {}) {
  const nodemailer = require('nodemailer');
  return nodemailer.createTransport({
    host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool, maxConnections, maxMessages: Infinity, ...(auth ? { auth } : {}),
    connectionTimeout: 10_000, socketTimeout: 180_000, greetingTimeout: 10_000,
  });
}

/** Sends one message; resolves the relay's answer `{ code, text }`, accepted or refused. */
export async function answerTo(transport, message) {
  try {
    const info = await transport.sendMail(message);
    return { code: Number(info.response.slice(0, 3)), text: info.response };
  } catch (err) {
    if (!err.responseCode) throw err; // not an SMTP answer: the test should see it
    return { code: err.responseCode, text: err.response };
  }
}
