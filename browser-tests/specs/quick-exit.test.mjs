// "Leave this site" (docs/portal.md, "Every page"): on every page; following it, or pressing
// Escape three times within two seconds, replaces the page with a neutral site so that Back
// does not return; twice is not enough; without JavaScript the link still leaves. The
// neutral site is a tiny local server ("Weather") so the test never reaches the internet.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, test } from 'node:test';
import { useBluelamp } from '../support/harness.mjs';
import { VIEWPORTS } from '../support/browser.mjs';
import { assertQuickExit, completeJourney, navigation } from '../support/portal.mjs';

const neutral = http.createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end('<!DOCTYPE html><html lang="en"><head><title>Weather</title></head><body><h1>Weather</h1><p>Sunny spells.</p></body></html>');
});
await new Promise((resolve) => neutral.listen(0, '127.0.0.1', resolve));
const NEUTRAL_ORIGIN = `http://127.0.0.1:${neutral.address().port}`;
const NEUTRAL_URL = `${NEUTRAL_ORIGIN}/weather`;
after(() => new Promise((resolve) => neutral.close(resolve)));

const bl = useBluelamp({
  serverEnv: { BLUELAMP_QUICK_EXIT_URL: NEUTRAL_URL, BLUELAMP_PORTAL_RATE_LIMIT_PER_MINUTE: '1000' },
  allowOrigins: [NEUTRAL_ORIGIN],
});

/** A portal page opened in a fresh tab, so its history holds only that page. */
async function openFresh(path, options = VIEWPORTS.phone) {
  const opened = await bl.open(path, options);
  assert.deepEqual(opened.requests.to(NEUTRAL_ORIGIN), [], `the neutral site was requested by just opening ${path}`);
  return opened;
}

/** Fails unless the page is the neutral site and Back does not bring the portal page back. */
async function assertLeft(page, from) {
  await page.waitForURL(NEUTRAL_URL, { timeout: 10_000 });
  assert.equal(await page.title(), 'Weather');
  await page.goBack({ waitUntil: 'load' }).catch(() => null);
  const url = page.url();
  assert.ok(
    !url.startsWith(bl.origin),
    `Back returned to the portal (${url}) after leaving ${from}: the page was not replaced in history`,
  );
}

test('"Leave this site" is on every page of a journey, pointing at the configured neutral site', async () => {
  const { context, requests } = await bl.context(VIEWPORTS.phone);
  const page = await context.newPage();
  for (const path of ['/', '/track', '/privacy', '/accessibility', '/cookies']) {
    await navigation(page, () => page.goto(bl.url(path)));
    await assertQuickExit(page, path, NEUTRAL_URL);
  }
  const labels = [];
  await completeJourney(page, bl.origin, 'information', {
    onPage: async (label) => {
      labels.push(label);
      await assertQuickExit(page, label, NEUTRAL_URL);
      const first = await page.evaluate(() => {
        const links = [...document.querySelectorAll('a[href], button')];
        return links.slice(0, 2).map((el) => el.id || el.textContent.trim());
      });
      assert.equal(first[1], 'quick-exit', `"Leave this site" is not the first control after the skip link on ${label}: ${JSON.stringify(first)}`);
    },
  });
  assert.ok(labels.length >= 6, `too few pages seen: ${labels.join(', ')}`);
  assert.deepEqual(requests.to(NEUTRAL_ORIGIN), [], 'the neutral site was requested without leaving');
});

test('following "Leave this site" replaces the page with the neutral site; Back does not return', async () => {
  const { page } = await openFresh('/report/crime');
  assert.match(page.url(), /\/report\/crime\/type$/);
  await page.locator('input[name="report_type"]').first().check();
  await page.locator('a#quick-exit').click();
  await assertLeft(page, 'the crime type page');
});

test('pressing Escape three times quickly leaves, even while typing in a field', async () => {
  const { page } = await openFresh('/track');
  await page.locator('#reference').click();
  await page.keyboard.type('BL-');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
  await assertLeft(page, '/track');
});

test('pressing Escape only twice, or three times spread over more than two seconds, does nothing', async () => {
  const { page, requests } = await openFresh('/');
  const start = page.url();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await page.waitForTimeout(2_200);
  await page.keyboard.press('Escape');
  await page.waitForTimeout(500);
  assert.equal(page.url(), start, 'the page left after Escape twice (and once more after two seconds)');
  assert.ok(await page.locator('h1').isVisible(), 'the page was hidden after Escape twice');
  assert.deepEqual(requests.to(NEUTRAL_ORIGIN), [], 'the neutral site was requested');
});

test('Escape three times leaves at desktop size too', async () => {
  const { page } = await openFresh('/report/anti-social-behaviour', VIEWPORTS.desktop);
  for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
  await assertLeft(page, 'the anti-social behaviour type page');
});

test('without JavaScript the link still leaves', async () => {
  const { page } = await openFresh('/report/road-traffic', { ...VIEWPORTS.phone, javaScriptEnabled: false });
  await assertQuickExit(page, 'road-traffic/rules without JavaScript', NEUTRAL_URL);
  await page.locator('a#quick-exit').click();
  await page.waitForURL(NEUTRAL_URL, { timeout: 10_000 });
  assert.equal(await page.title(), 'Weather');
});
