// The landing page, GET /: accessible at phone and desktop sizes, self-contained, usable by
// keyboard and without JavaScript.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useBluelamp } from '../support/harness.mjs';
import {
  VIEWPORTS,
  assertNoAxeViolations,
  assertNoHorizontalScroll,
  focused,
} from '../support/browser.mjs';

const bl = useBluelamp();

for (const [name, options] of Object.entries(VIEWPORTS)) {
  const { width, height } = options.viewport;
  const label = `the landing page (${name}, ${width}x${height})`;

  describe(`landing page at ${name} size (${width}x${height})`, () => {
    test('has no accessibility violations (axe, WCAG 2.2 AA)', async () => {
      const { page } = await bl.open('/', options);
      await assertNoAxeViolations(page, { label });
    });

    test('loads its stylesheet from the server and nothing from anywhere else', async () => {
      const { page, requests, consoleErrors } = await bl.open('/', options);
      await page.waitForLoadState('networkidle');
      requests.assertAllLocal(label);
      const paths = requests.requests.map((r) => new URL(r.url).pathname);
      assert.ok(paths.includes('/assets/bluelamp.css'), `stylesheet not requested: ${paths.join(', ')}`);
      consoleErrors.assertNone(label);
    });

    test('does not scroll sideways', async () => {
      const { page } = await bl.open('/', options);
      await assertNoHorizontalScroll(page, label);
    });

    test('keyboard: the first Tab focuses a visible skip link, which moves focus to main', async () => {
      const { page } = await bl.open('/', options);
      const skipLink = page.locator('a.skip-link');
      const hidden = await skipLink.boundingBox();
      assert.ok(
        !hidden || hidden.width <= 1 || hidden.x + hidden.width <= 0,
        `the skip link shows before it has focus: ${JSON.stringify(hidden)}`,
      );

      await page.keyboard.press('Tab');
      const first = await focused(page);
      assert.equal(first?.tag, 'a', `first Tab focused ${JSON.stringify(first)}`);
      assert.equal(first.href, '#main');
      assert.match(first.text, /skip to main content/i);
      const shown = await skipLink.boundingBox();
      assert.ok(
        shown && shown.width > 1 && shown.height > 1 && shown.x >= 0 && shown.y >= 0 && shown.x + shown.width <= width,
        `the focused skip link is not visible in the viewport: ${JSON.stringify(shown)}`,
      );

      await page.keyboard.press('Enter');
      const target = await focused(page);
      assert.equal(target?.tag, 'main', `after the skip link, focus is on ${JSON.stringify(target)}`);
      assert.equal(target.id, 'main');
      assert.equal(new URL(page.url()).hash, '#main');

      // The next Tab continues from main: its first link, not back in the header.
      await page.keyboard.press('Tab');
      const next = await focused(page);
      const firstLinkInMain = await page.locator('main a').first().getAttribute('href');
      assert.equal(next?.href, firstLinkInMain, `Tab after main focused ${JSON.stringify(next)}`);
    });
  });
}

test('the page says it is in English and has a title', async () => {
  const { page } = await bl.open('/', VIEWPORTS.desktop);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  const title = await page.title();
  assert.ok(title.trim().length > 0, 'the page has no title');
  assert.match(title, /Bluelamp/);
});

test('it has exactly one h1, and a main landmark', async () => {
  const { page } = await bl.open('/', VIEWPORTS.desktop);
  assert.equal(await page.locator('h1').count(), 1);
  assert.equal(await page.getByRole('main').count(), 1);
});

test('without JavaScript it renders the same h1', async () => {
  const withJs = await bl.open('/', VIEWPORTS.desktop);
  const expected = (await withJs.page.locator('h1').textContent())?.trim();
  assert.ok(expected, 'no h1 text with JavaScript on');

  const withoutJs = await bl.open('/', { ...VIEWPORTS.phone, javaScriptEnabled: false });
  const noScript = await withoutJs.page.locator('h1').textContent();
  assert.equal(noScript?.trim(), expected);
  assert.ok(await withoutJs.page.locator('h1').isVisible(), 'the h1 is not visible without JavaScript');
  withoutJs.requests.assertAllLocal('the landing page without JavaScript');
});

test('the health check link works', async () => {
  const { page, requests } = await bl.open('/', VIEWPORTS.desktop);
  const link = page.getByRole('link', { name: /health check/i });
  assert.equal(await link.count(), 1, 'no single link named "health check"');
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/healthz'),
    link.click(),
  ]);
  assert.equal(response.status(), 200);
  assert.deepEqual(await response.json(), { status: 'ok' });
  await page.waitForURL(bl.url('/healthz'));
  requests.assertAllLocal('the health check');
});

test('every link on the page stays on the server and answers 200', async () => {
  const { page, context } = await bl.open('/', VIEWPORTS.desktop);
  const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => a.href));
  assert.ok(hrefs.length > 0, 'no links found');
  for (const href of hrefs) {
    const url = new URL(href);
    assert.equal(url.origin, bl.origin, `link to another site: ${href}`);
    if (url.pathname === '/' && url.hash) continue; // an in-page anchor (the skip link)
    const response = await context.request.get(href);
    assert.equal(response.status(), 200, `${href} answered ${response.status()}`);
  }
});
