// Debian's Chromium driven by playwright-core (which never downloads a browser), and the checks
// every page must pass: axe (WCAG 2.2 AA), no request leaving the server's origin, no console
// errors (a Content-Security-Policy violation shows up as one).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

/** The browser: Debian's package, at CHROMIUM_PATH when set. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Flags that keep Chromium quiet and offline: without the background-networking ones it keeps
 * trying to reach the internet. `--no-sandbox` because the tests may run as root.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Viewports every page is checked in. */
export const VIEWPORTS = {
  phone: { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1280, height: 800 } },
};

/** The WCAG rule sets axe checks: everything up to WCAG 2.2 level AA. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Launches Chromium. Close it with `browser.close()`. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium) ` +
        'or set CHROMIUM_PATH; browser-tests/run does this for you',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * A fresh context (cookies, storage, cache) with `options` (e.g. `VIEWPORTS.phone`,
 * `{ javaScriptEnabled: false }`). axe needs pages from a context, not `browser.newPage()`.
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/London', ...options });
  if (options.javaScriptEnabled === false) {
    SCRIPTLESS.set(context, { browser, options });
  }
  return context;
}

/** Contexts made with `javaScriptEnabled: false`, with what made them. */
const SCRIPTLESS = new WeakMap();

/**
 * Runs `check(page)` on `page` as it is now. With JavaScript off Playwright cannot evaluate
 * anything in the page (axe runs there), so for such a page `check` gets a replica instead: a
 * JavaScript-enabled page of the same size, at the same URL, whose document is the scriptless
 * page's HTML and whose only script (`/assets/bluelamp.js`) is replaced by an empty one, so
 * the page is laid out exactly as without JavaScript. Stylesheets still come from the server.
 */
export async function onScriptedPage(page, check) {
  const made = SCRIPTLESS.get(page.context());
  if (!made) return check(page);
  const html = await page.content();
  const url = page.url();
  const { javaScriptEnabled: _off, ...options } = made.options;
  const replica = await made.browser.newContext({
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    ...options,
    viewport: page.viewportSize() ?? options.viewport,
  });
  try {
    const origin = new URL(url).origin;
    await replica.route(
      (u) => u.href === url,
      (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
    );
    await replica.route(
      (u) => u.pathname.endsWith('.js'),
      (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }),
    );
    await replica.route(
      (u) => u.origin !== origin && !u.href.startsWith('data:'),
      (route) => route.abort('blockedbyclient'),
    );
    const copy = await replica.newPage();
    await copy.goto(url, { waitUntil: 'load' });
    return await check(copy);
  } finally {
    await replica.close().catch(() => {});
  }
}

/**
 * Runs axe on the page as it is now and fails listing every violation readably: rule, impact,
 * what it means, where to read more, and each offending element with its selector, markup and
 * how to fix it.
 *
 * @param {import('playwright-core').Page} page
 * @param {{ label?: string, exclude?: string[] }} [options] label names the page in the message
 */
export async function assertNoAxeViolations(page, { label, exclude = [] } = {}) {
  if (SCRIPTLESS.has(page.context())) {
    return onScriptedPage(page, (copy) =>
      assertNoAxeViolations(copy, { label: `${label ?? page.url()} (without JavaScript)`, exclude }),
    );
  }
  let builder = new AxeBuilder({ page }).withTags(AXE_TAGS);
  for (const selector of exclude) builder = builder.exclude(selector);
  const results = await builder.analyze();
  assert.ok(
    results.passes.length > 0,
    `axe checked nothing on ${label ?? page.url()}: is the page empty?`,
  );
  if (results.violations.length === 0) return results;
  assert.fail(
    `axe found ${results.violations.length} accessibility violation(s) on ${label ?? page.url()}:\n\n` +
      formatViolations(results.violations),
  );
}

/** Human-readable text of axe violations. */
export function formatViolations(violations) {
  return violations
    .map((v, i) => {
      const nodes = v.nodes
        .map((node) => {
          const fix = (node.failureSummary ?? '').split('\n').map((l) => `        ${l}`).join('\n');
          return `    - at ${node.target.join(' ')}\n      ${node.html}\n${fix}`;
        })
        .join('\n');
      return (
        `${i + 1}. [${v.impact ?? 'unknown impact'}] ${v.id}: ${v.help}\n` +
        `   ${v.description}\n   ${v.helpUrl}\n   tags: ${v.tags.join(', ')}\n${nodes}`
      );
    })
    .join('\n\n');
}

/**
 * Records every request the context's pages make (including web sockets) and aborts any that
 * would leave `origin` (or the `allowOrigins`), so a test never reaches the internet.
 * `assertAllLocal()` then fails naming each foreign request; `to(origin)` lists the requests
 * made to an allowed origin (e.g. a test's own neutral site for "Leave this site"). `data:`
 * and `blob:` URLs never leave the browser and are allowed.
 *
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} origin e.g. `http://127.0.0.1:34931`
 * @param {{ allowOrigins?: string[] }} [options] other local origins a test serves itself
 */
export async function trackRequests(context, origin, { allowOrigins = [] } = {}) {
  const requests = [];
  const allowed = new Set([origin, ...allowOrigins]);
  const isLocal = (url) => {
    if (url.startsWith('data:') || url.startsWith('blob:')) return true;
    try {
      return allowed.has(new URL(url).origin);
    } catch {
      return false;
    }
  };
  const isServer = (url) => {
    if (url.startsWith('data:') || url.startsWith('blob:')) return true;
    try {
      return new URL(url).origin === origin;
    } catch {
      return false;
    }
  };
  context.on('request', (request) => {
    requests.push({ url: request.url(), method: request.method(), type: request.resourceType() });
  });
  const watchSockets = (page) =>
    page.on('websocket', (ws) => requests.push({ url: ws.url(), method: 'GET', type: 'websocket' }));
  context.pages().forEach(watchSockets);
  context.on('page', watchSockets);
  await context.route(
    (url) => !isLocal(url.href),
    (route) => route.abort('blockedbyclient'),
  );
  return {
    requests,
    foreign: () => requests.filter((r) => !isLocal(r.url)),
    to: (other) =>
      requests.filter((r) => {
        try {
          return new URL(r.url).origin === other;
        } catch {
          return false;
        }
      }),
    /** Fails naming every request that went anywhere but the server (allowed origins too). */
    assertAllLocal(label = '') {
      assert.ok(requests.length > 0, 'no request was recorded at all: is the tracker attached?');
      const foreign = requests.filter((r) => !isServer(r.url));
      assert.deepEqual(
        foreign.map((r) => `${r.method} ${r.url} (${r.type})`),
        [],
        `request(s) left the server's origin ${origin}${label ? ` on ${label}` : ''}`,
      );
    },
  };
}

/**
 * Records console errors and uncaught page errors on the context's pages; `assertNone()` fails
 * listing them. A blocked resource or a Content-Security-Policy violation lands here.
 */
export function trackConsoleErrors(context) {
  const errors = [];
  const watch = (page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${page.url()})`);
    });
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message} (${page.url()})`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    errors,
    /**
     * Fails listing the errors, but those matching an `allow` pattern. `allowStatus` lists
     * HTTP statuses a page was expected to answer with (an error page is 422, say), which
     * Chromium logs as "Failed to load resource".
     */
    assertNone(label = '', { allow = [], allowStatus = [] } = {}) {
      const patterns = [
        ...allow,
        ...allowStatus.map((status) => new RegExp(`^console: Failed to load resource: the server responded with a status of ${status}\\b`)),
      ];
      const left = errors.filter((error) => !patterns.some((pattern) => pattern.test(error)));
      assert.deepEqual(left, [], `browser console errors${label ? ` on ${label}` : ''}`);
    },
  };
}

/** The element that has focus, described for assertions: tag, id, class, text, href. */
export async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id || null,
      className: typeof el.className === 'string' ? el.className : null,
      text: (el.textContent ?? '').trim().replace(/\s+/g, ' '),
      href: el.getAttribute('href'),
    };
  });
}

/** Fails when the page scrolls sideways (WCAG 1.4.10 reflow, checked at phone width). */
export async function assertNoHorizontalScroll(page, label = '') {
  if (SCRIPTLESS.has(page.context())) {
    return onScriptedPage(page, (copy) => assertNoHorizontalScroll(copy, label));
  }
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(
    scrollWidth <= clientWidth,
    `page scrolls sideways${label ? ` on ${label}` : ''}: content ${scrollWidth}px wide in a ${clientWidth}px viewport`,
  );
}
