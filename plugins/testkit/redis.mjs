// The one test helper that starts redis-server (Debian's) on a loopback port, for every plugin's
// tests and demos. A missing redis-server is an error, never a skipped test.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The redis-server binary: $REDIS_SERVER, else the one on PATH (Debian: /usr/bin/redis-server). */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

/** Throws a clear error when redis-server is not installed (the tests fail, never skip). */
export function requireRedisServer() {
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`redis-server not found (${REDIS_SERVER}): apt-get install redis-server, or run .ci/run`);
  return r.stdout.trim();
}

/** A free loopback port (for child processes). */
export async function freePort() {
  const s = createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/**
 * Starts redis-server on 127.0.0.1 (`port`, else a free one) with an append-only file in `dir`
 * (else a new temporary folder), so a killed and restarted server still knows which runs
 * halted. `appendfsync` is Redis's setting: `always` (the default) fsyncs before every reply;
 * `everysec` writes before every reply too (a killed Redis loses nothing) but fsyncs once a
 * second (a machine crash may lose that second), and lets one run take several times more
 * checks a second (docs/BENCHMARKS.md). Resolves `{ port, url, dir, child, stop() }`; `stop()`
 * ends the server and removes a folder it made.
 */
export async function startRedis({ port, dir, appendfsync = 'always', timeoutMs = 10_000 } = {}) {
  requireRedisServer();
  port ??= await freePort();
  const ownDir = dir == null;
  dir ??= mkdtempSync(join(tmpdir(), 'sendguard-redis-'));
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--save', '', '--appendonly', 'yes', '--appendfsync', appendfsync, '--dir', dir, '--logfile', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`redis-server on port ${port} did not start within ${timeoutMs} ms:\n${seen.slice(-2000)}`)), timeoutMs);
    function fail(err) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    }
    const onData = (chunk) => {
      seen += chunk;
      if (/Ready to accept connections/.test(seen)) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume();
        child.stderr.resume();
        resolve();
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => { seen += c; });
    child.on('exit', (code) => fail(new Error(`redis-server on port ${port} exited (${code}) before it was ready:\n${seen.slice(-2000)}`)));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  return { port, url: `redis://127.0.0.1:${port}/0`, dir, child, stop };
}
