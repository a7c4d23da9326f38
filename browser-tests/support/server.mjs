// Starts and stops a real `bluelamp serve` for the browser tests.
//
// Each spec file starts its own server on a free port (`--listen 127.0.0.1:0`) with a fresh data
// directory, reads the `listening on http://ADDR` line from its stdout, and stops it with SIGTERM
// at the end, checking that it shut down cleanly.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const KEPT_OUTPUT_CHARS = 20_000;

/** The server binary: `BLUELAMP_BIN`, which `browser-tests/run` always sets. */
export function bluelampBin() {
  const bin = process.env.BLUELAMP_BIN;
  if (!bin) {
    throw new Error(
      'BLUELAMP_BIN is not set: point it at a built bluelamp binary ' +
        '(cargo build -p bluelamp; then $CARGO_TARGET_DIR/debug/bluelamp), or use browser-tests/run',
    );
  }
  if (!existsSync(bin)) throw new Error(`BLUELAMP_BIN=${bin} does not exist`);
  return bin;
}

/**
 * The environment for the server: ours without any BLUELAMP_* setting (a developer's
 * BLUELAMP_DATABASE_URL or BLUELAMP_LISTEN must not leak into the test server), keeping only
 * BLUELAMP_SHARED_DIR (needed by `--demo`), plus `extra`.
 */
function serverEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('BLUELAMP_') && key !== 'BLUELAMP_SHARED_DIR') continue;
    env[key] = value;
  }
  return { ...env, RUST_BACKTRACE: '1', ...extra };
}

/**
 * Starts `bluelamp serve --data-dir TMP --listen 127.0.0.1:0 ...args`.
 *
 * Returns `{ origin, url(path), dataDir, output(), stop() }`. `origin` is like
 * `http://127.0.0.1:34931`; `output()` is the tail of the server's stdout and stderr, for
 * failure messages; `stop()` sends SIGTERM, waits, deletes the data directory and throws if the
 * server did not exit with status 0.
 *
 * @param {{ args?: string[], env?: Record<string,string> }} [options]
 */
export async function startServer({ args = [], env = {} } = {}) {
  const bin = bluelampBin();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bluelamp-browser-'));
  const argv = ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', ...args];
  // The data directory as working directory, so no stray ./bluelamp.toml is picked up.
  const child = spawn(bin, argv, {
    cwd: dataDir,
    env: serverEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let kept = '';
  const keep = (chunk) => {
    kept = (kept + chunk).slice(-KEPT_OUTPUT_CHARS);
  };
  const output = () => kept;

  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let exitStatus = null;
  exited.then((status) => {
    exitStatus = status;
  });

  child.stderr.setEncoding('utf8');
  child.stderr.on('data', keep); // always drained, so the server never blocks on a full pipe

  const origin = await new Promise((resolve, reject) => {
    let pending = '';
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    const fail = (why) =>
      settle(
        reject,
        new Error(`bluelamp serve did not start: ${why}\ncommand: ${bin} ${argv.join(' ')}\n` +
          `--- server output ---\n${output()}`),
      );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`no "listening on" line within ${START_TIMEOUT_MS / 1000} s`);
    }, START_TIMEOUT_MS);
    child.on('error', (error) => fail(error.message));
    exited.then(({ code, signal }) => fail(`it exited (status ${code}, signal ${signal})`));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      keep(chunk);
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        const match = /^listening on (http:\/\/\S+)$/.exec(line);
        if (match) settle(resolve, new URL(match[1]).origin);
      }
    });
  }).catch(async (error) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (exitStatus === null) child.kill('SIGTERM');
    let timer;
    const status = await Promise.race([
      exited,
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    await rm(dataDir, { recursive: true, force: true });
    if (status === null) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(
        `bluelamp serve did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killed it\n` +
          `--- server output ---\n${output()}`,
      );
    }
    if (status.code !== 0) {
      throw new Error(
        `bluelamp serve exited with status ${status.code} (signal ${status.signal}) after SIGTERM\n` +
          `--- server output ---\n${output()}`,
      );
    }
  }

  // Never leave a server behind if the test process dies on an uncaught error.
  process.once('exit', () => {
    if (exitStatus === null) child.kill('SIGKILL');
  });

  return { origin, url: (p = '/') => new URL(p, origin).href, dataDir, output, stop };
}
