// One server and one browser per spec file, and a way to open a page with every tracker on.
//
//   import { useBluelamp } from '../support/harness.mjs';
//   const bl = useBluelamp();            // registers before/after hooks
//   test('...', async () => {
//     const { page, requests, consoleErrors } = await bl.open('/', VIEWPORTS.phone);
//   });

import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';
import { startServer } from './server.mjs';
import { launchBrowser, newContext, trackConsoleErrors, trackRequests } from './browser.mjs';

/**
 * Registers hooks that start a Bluelamp server and Chromium before the file's tests and stop
 * both after, closing each test's contexts after that test.
 *
 * `serverEnv` may be a function, called (and awaited) in the `before` hook, for settings known
 * only once something else has started (e.g. a test's own neutral site for quick exit).
 * `allowOrigins` lists origins besides the server's that pages may reach (requests anywhere
 * else are aborted); it may be a function too.
 *
 * @param {{
 *   serverArgs?: string[],
 *   serverEnv?: Record<string,string> | (() => Record<string,string> | Promise<Record<string,string>>),
 *   allowOrigins?: string[] | (() => string[]),
 * }} [options]
 */
export function useBluelamp({ serverArgs = [], serverEnv = {}, allowOrigins = [] } = {}) {
  const state = { server: null, browser: null, contexts: [] };

  before(async () => {
    const env = typeof serverEnv === 'function' ? await serverEnv() : serverEnv;
    state.server = await startServer({ args: serverArgs, env });
    state.browser = await launchBrowser();
  });

  afterEach(async () => {
    const contexts = state.contexts.splice(0);
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
  });

  after(async () => {
    await state.browser?.close().catch(() => {});
    await state.server?.stop();
  });

  return {
    get server() {
      return state.server;
    },
    get browser() {
      return state.browser;
    },
    get origin() {
      return state.server.origin;
    },
    url: (path = '/') => state.server.url(path),

    /** A fresh context with request and console trackers, closed after the test. */
    async context(options = {}) {
      const context = await newContext(state.browser, options);
      state.contexts.push(context);
      const requests = await trackRequests(context, state.server.origin, {
        allowOrigins: typeof allowOrigins === 'function' ? allowOrigins() : allowOrigins,
      });
      const consoleErrors = trackConsoleErrors(context);
      return { context, requests, consoleErrors };
    },

    /**
     * Opens `path` in a fresh context and waits for it to load; fails unless the server
     * answered 200. Returns `{ page, context, response, requests, consoleErrors }`.
     */
    async open(path, options = {}) {
      const tracked = await this.context(options);
      const page = await tracked.context.newPage();
      const response = await page.goto(state.server.url(path), { waitUntil: 'load' });
      assert.ok(response, `no response for ${path}`);
      assert.equal(response.status(), 200, `GET ${path} answered ${response.status()}`);
      return { page, response, ...tracked };
    },
  };
}
