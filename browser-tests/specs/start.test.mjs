// The portal's start page, GET / (docs/portal.md), and its static pages: accessible at phone
// and desktop sizes, self-contained, usable by keyboard and without JavaScript, with the
// emergency warning and a way into every journey and into tracking.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useBluelamp } from '../support/harness.mjs';
import {
  VIEWPORTS,
  assertNoAxeViolations,
  assertNoHorizontalScroll,
  focused,
} from '../support/browser.mjs';
import { assertQuickExit, checkPortalPage } from '../support/portal.mjs';

const bl = useBluelamp();

const JOURNEY_LINKS = [
  '/report/crime',
  '/report/anti-social-behaviour',
  '/report/road-traffic',
  '/report/information',
];
const STATIC_PAGES = ['/privacy', '/accessibility', '/cookies'];
const DEFAULT_QUICK_EXIT = 'https://www.bbc.co.uk/weather';

for (const [name, options] of Object.entries(VIEWPORTS)) {
  const { width, height } = options.viewport;
  const label = `the start page (${name}, ${width}x${height})`;

  describe(`start page at ${name} size (${width}x${height})`, () => {
    test('has no accessibility violations (axe, WCAG 2.2 AA)', async () => {
      const { page } = await bl.open('/', options);
      await checkPortalPage(page, label);
    });

    test('loads its stylesheet and script from the server, nothing from anywhere else, no console errors', async () => {
      const { page, requests, consoleErrors } = await bl.open('/', options);
      await page.waitForLoadState('networkidle');
      requests.assertAllLocal(label);
      const paths = requests.requests.map((r) => new URL(r.url).pathname);
      assert.ok(paths.includes('/assets/bluelamp.css'), `stylesheet not requested: ${paths.join(', ')}`);
      assert.ok(
        !requests.requests.some((r) => r.url.startsWith(DEFAULT_QUICK_EXIT)),
        'the quick-exit site was requested without the link being followed',
      );
      consoleErrors.assertNone(label);
    });

    test('does not scroll sideways', async () => {
      const { page } = await bl.open('/', options);
      await assertNoHorizontalScroll(page, label);
    });

    test('keyboard: the first Tab focuses a visible skip link, which takes the next Tab into main', async () => {
      const { page } = await bl.open('/', options);
      await page.keyboard.press('Tab');
      const first = await focused(page);
      assert.equal(first?.tag, 'a', `first Tab focused ${JSON.stringify(first)}`);
      assert.match(first.text, /^skip to main content$/i, `first Tab focused ${JSON.stringify(first)}`);
      assert.match(first.href ?? '', /^#./, `the skip link's href is ${first.href}`);
      const mainId = await page.locator('main').getAttribute('id');
      assert.equal(first.href, `#${mainId}`, 'the skip link does not point at main');
      const shown = await page.locator(`a[href="#${mainId}"]`).first().boundingBox();
      assert.ok(
        shown && shown.width > 1 && shown.height > 1 && shown.x >= 0 && shown.y >= 0 && shown.x + shown.width <= width,
        `the focused skip link is not visible in the viewport: ${JSON.stringify(shown)}`,
      );

      await page.keyboard.press('Enter');
      assert.equal(new URL(page.url()).hash, `#${mainId}`);
      // The next Tab continues from main: its first link, not back in the header.
      await page.keyboard.press('Tab');
      const next = await page.evaluate(() => {
        const el = document.activeElement;
        return { inMain: !!el?.closest('main'), html: el?.outerHTML.slice(0, 160) ?? null };
      });
      assert.ok(next.inMain, `Tab after the skip link focused something outside main: ${next.html}`);
    });

    test('warns about emergencies: 999, 101, and text relay 18000 / 18001 101', async () => {
      const { page } = await bl.open('/', options);
      const main = (await page.locator('main').textContent()).replace(/\s+/g, ' ');
      assert.match(main, /\b999\b/, 'no 999 on the start page');
      assert.match(main, /\b101\b/, 'no 101 on the start page');
      assert.match(main, /\b18000\b/, 'no text relay 18000 on the start page');
      assert.match(main, /\b18001 101\b/, 'no text relay 18001 101 on the start page');
      const warning = page.locator('main .govuk-warning-text');
      assert.ok((await warning.count()) >= 1, 'no warning text on the start page');
      assert.match(await warning.first().textContent(), /999/, 'the warning does not say 999');
      assert.ok(await warning.first().isVisible(), 'the emergency warning is not visible');
    });
  });
}

test('the start page links to every journey and to tracking, and each link works', async () => {
  const { page, context } = await bl.open('/', VIEWPORTS.phone);
  for (const href of [...JOURNEY_LINKS, '/track']) {
    const link = page.locator(`main a[href="${href}"]`);
    assert.ok((await link.count()) >= 1, `no link to ${href} in main`);
    assert.ok((await link.first().textContent()).trim().length > 0, `the link to ${href} has no words`);
    const response = await context.request.get(bl.url(href));
    assert.equal(response.status(), 200, `${href} answered ${response.status()}`);
  }
  // A journey link starts a draft at the journey's first step.
  const firstSteps = {
    '/report/crime': '/report/crime/type',
    '/report/anti-social-behaviour': '/report/anti-social-behaviour/type',
    '/report/road-traffic': '/report/road-traffic/rules',
    '/report/information': '/report/information/anonymous',
  };
  for (const [href, step] of Object.entries(firstSteps)) {
    await page.goto(bl.url('/'));
    await Promise.all([page.waitForURL(bl.url(step)), page.locator(`main a[href="${href}"]`).first().click()]);
    await checkPortalPage(page, step);
  }
});

test("Bluelamp's own header with the force's name; no GOV.UK crown, logotype or font", async () => {
  const { page } = await bl.open('/', VIEWPORTS.desktop);
  const header = page.locator('header');
  assert.equal(await header.count(), 1, 'not exactly one header');
  const text = (await header.textContent()).replace(/\s+/g, ' ');
  assert.match(text, /Bluelamp/, 'the header does not say Bluelamp');
  assert.match(text, /Leicestershire Police/, "the header does not name the force (the default, Leicestershire Police)");
  assert.equal(await page.locator('.govuk-header, .govuk-header__logotype, svg.govuk-header__logotype').count(), 0, 'the GOV.UK header or logotype is used');
  // The font of every element that shows text of its own.
  const fonts = await page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((el) => [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
      .filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width > 1 && box.height > 1 && box.right > 0 && box.bottom > 0;
      })
      .map((el) => getComputedStyle(el).fontFamily),
  );
  assert.ok(!fonts.some((f) => /GDS Transport/i.test(f)), `the GDS Transport font is used: ${[...new Set(fonts)].join(' | ')}`);
  assert.ok(fonts.every((f) => /system-ui|-apple-system|sans-serif/.test(f)), `not a system font stack: ${[...new Set(fonts)].join(' | ')}`);
});

test('the session cookie is bl_session, HttpOnly and SameSite, over plain http', async () => {
  const { context } = await bl.open('/report/crime', VIEWPORTS.phone);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'bl_session');
  assert.ok(session, `no bl_session cookie: ${cookies.map((c) => c.name).join(', ') || 'none'}`);
  assert.equal(session.httpOnly, true, 'bl_session is readable by scripts');
  assert.ok(['Lax', 'Strict'].includes(session.sameSite), `bl_session has SameSite=${session.sameSite}`);
  assert.equal(session.path, '/');
  assert.ok(session.expires === -1, 'bl_session outlives the browser session');
  assert.deepEqual(cookies.filter((c) => c.name !== 'bl_session').map((c) => c.name), [], 'other cookies are set');
});

test('pages reflow at 320 CSS pixels wide (WCAG 1.4.10), error states included', async () => {
  const narrow = { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
  const { context } = await bl.context(narrow);
  const page = await context.newPage();
  for (const path of ['/', '/privacy', '/track', '/report/crime', '/report/road-traffic']) {
    await page.goto(bl.url(path));
    await assertNoHorizontalScroll(page, `${path} at 320px`);
  }
  // An error state with the widest controls: the date input.
  await page.goto(bl.url('/report/crime'));
  await page.locator('input[name="report_type"]').first().check();
  await Promise.all([page.waitForURL(/\/when$/), page.getByRole('button', { name: 'Continue', exact: true }).click()]);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Continue', exact: true }).click()]);
  assert.equal(await page.locator('.govuk-error-summary').count(), 1, 'no error state to check');
  await assertNoHorizontalScroll(page, 'the when step in error at 320px');
});

test('the page says it is in English, has a title, one h1 and a main landmark', async () => {
  const { page } = await bl.open('/', VIEWPORTS.desktop);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  const title = await page.title();
  assert.match(title, /Bluelamp/);
  assert.equal(await page.locator('h1').count(), 1);
  assert.equal(await page.getByRole('main').count(), 1);
});

test('every page has "Leave this site" and a footer with privacy, accessibility and cookies', async () => {
  for (const path of ['/', ...STATIC_PAGES]) {
    const { page } = await bl.open(path, VIEWPORTS.phone);
    await assertQuickExit(page, path, DEFAULT_QUICK_EXIT);
    for (const href of STATIC_PAGES) {
      assert.equal(await page.locator(`footer a[href="${href}"]`).count(), 1, `no footer link to ${href} on ${path}`);
    }
  }
});

for (const path of STATIC_PAGES) {
  for (const [name, options] of Object.entries(VIEWPORTS)) {
    test(`${path} has no accessibility violations and no sideways scroll (${name})`, async () => {
      const { page, requests, consoleErrors } = await bl.open(path, options);
      await checkPortalPage(page, `${path} (${name})`);
      await assertNoHorizontalScroll(page, path);
      requests.assertAllLocal(path);
      consoleErrors.assertNone(path);
    });
  }
}

test('a page that does not exist says so accessibly', async () => {
  const { context } = await bl.context(VIEWPORTS.phone);
  const page = await context.newPage();
  const response = await page.goto(bl.url('/no-such-page'));
  assert.equal(response.status(), 404);
  await assertNoAxeViolations(page, { label: 'the not-found page' });
  await assertQuickExit(page, 'the not-found page');
});

test('without JavaScript the start page renders the same h1 and its links', async () => {
  const withJs = await bl.open('/', VIEWPORTS.desktop);
  const expected = (await withJs.page.locator('h1').textContent())?.trim();
  assert.ok(expected, 'no h1 text with JavaScript on');

  const withoutJs = await bl.open('/', { ...VIEWPORTS.phone, javaScriptEnabled: false });
  const noScript = await withoutJs.page.locator('h1').textContent();
  assert.equal(noScript?.trim(), expected);
  assert.ok(await withoutJs.page.locator('h1').isVisible(), 'the h1 is not visible without JavaScript');
  for (const href of [...JOURNEY_LINKS, '/track']) {
    assert.ok(await withoutJs.page.locator(`main a[href="${href}"]`).first().isVisible(), `no visible link to ${href} without JavaScript`);
  }
  await assertNoAxeViolations(withoutJs.page, { label: 'the start page without JavaScript' });
  withoutJs.requests.assertAllLocal('the start page without JavaScript');
});

test('every link on the start page but "Leave this site" stays on the server and answers 200', async () => {
  const { page, context } = await bl.open('/', VIEWPORTS.desktop);
  const hrefs = await page
    .locator('a[href]:not(#quick-exit)')
    .evaluateAll((links) => links.map((a) => a.href));
  assert.ok(hrefs.length > 0, 'no links found');
  for (const href of hrefs) {
    const url = new URL(href);
    assert.equal(url.origin, bl.origin, `link to another site: ${href}`);
    if (url.pathname === '/' && url.hash) continue; // an in-page anchor (the skip link)
    const response = await context.request.get(href);
    assert.equal(response.status(), 200, `${href} answered ${response.status()}`);
  }
});
