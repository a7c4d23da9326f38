// The warning before a session times out (docs/portal.md, "Session"): with JavaScript, two
// minutes before the idle time ends, an accessible dialog offers "Keep my answers", which
// extends the session (POST /session/keep-alive) and keeps the draft. The server runs with the
// shortest idle time (5 minutes); the browser's clock is Playwright's, moved on at will.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useBluelamp } from '../support/harness.mjs';
import { VIEWPORTS, assertNoAxeViolations } from '../support/browser.mjs';
import { answerStep, answersFor, assertStep, navigation, pathOf, pressContinue } from '../support/portal.mjs';

const bl = useBluelamp({
  serverEnv: { BLUELAMP_SESSION_IDLE_MINUTES: '5', BLUELAMP_PORTAL_RATE_LIMIT_PER_MINUTE: '1000' },
});

/** A phone page with Playwright's clock, a crime draft started and its type answered. */
async function draftOnWhenStep() {
  const tracked = await bl.context(VIEWPORTS.phone);
  const page = await tracked.context.newPage();
  await page.clock.install();
  await navigation(page, () => page.goto(bl.url('/report/crime')));
  assertStep(page, 'crime', 'type');
  await answerStep(page, answersFor('crime').type);
  await pressContinue(page);
  assertStep(page, 'crime', 'when');
  return { page, ...tracked };
}

const dialog = (page) => page.getByRole('dialog');

test('two minutes before the session ends, an accessible dialog warns; "Keep my answers" keeps the draft', async () => {
  const { page, requests, consoleErrors } = await draftOnWhenStep();
  await page.locator('#when-day').fill('3');

  // Not yet: at 2 minutes 50 seconds of 5 there is no dialog.
  await page.clock.fastForward('02:50');
  assert.equal(await dialog(page).isVisible().catch(() => false), false, 'the warning showed too early');

  // At 3 minutes (2 before the end) it shows, named, described, focused, axe clean.
  await page.clock.fastForward('00:15');
  await dialog(page).waitFor({ state: 'visible', timeout: 5_000 });
  const box = dialog(page);
  const name = await box.evaluate((el) => document.getElementById(el.getAttribute('aria-labelledby') ?? '')?.textContent ?? el.getAttribute('aria-label'));
  assert.ok(name && name.trim(), 'the dialog has no accessible name');
  assert.equal(await box.getAttribute('aria-modal'), 'true', 'the dialog is not modal');
  assert.match(await box.textContent(), /2 minutes/, 'the dialog does not say how long is left');
  const focusInside = await box.evaluate((el) => el.contains(document.activeElement));
  assert.ok(focusInside, 'focus did not move into the dialog');
  await assertNoAxeViolations(page, { label: 'the session timeout warning' });

  // Focus stays inside the dialog.
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Tab');
    assert.ok(await box.evaluate((el) => el.contains(document.activeElement)), `Tab ${i + 1} left the open dialog`);
  }

  // Keep my answers: the session is extended and the dialog closes.
  const keepAlive = page.waitForResponse((r) => new URL(r.url()).pathname === '/session/keep-alive');
  await page.getByRole('button', { name: 'Keep my answers' }).click();
  const response = await keepAlive;
  assert.equal(response.request().method(), 'POST');
  assert.ok(response.status() >= 200 && response.status() < 300, `keep-alive answered ${response.status()}`);
  await dialog(page).waitFor({ state: 'hidden', timeout: 5_000 });
  assert.equal(pathOf(page), '/report/crime/when', 'keeping the answers left the page');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'when-day', 'focus did not go back to where it was before the warning');
  assert.equal(await page.locator('#when-day').inputValue(), '3', 'what was typed on the page was lost');

  // The timer starts again: no warning until another 3 minutes have passed.
  await page.clock.fastForward('02:00');
  assert.equal(await dialog(page).isVisible(), false, 'the warning came back too soon after keeping the answers');

  // The draft is still there: the answer to the first question is kept.
  await navigation(page, () => page.goto(bl.url('/report/crime/type')));
  const kept = /value="([^"]+)"/.exec(answersFor('crime').type.check[0])[1];
  assert.ok(await page.locator(`input[name="report_type"][value="${kept}"]`).isChecked(), 'the draft lost its answers');

  requests.assertAllLocal('the session timeout warning');
  consoleErrors.assertNone('the session timeout warning');
});

test('ignoring the warning, the page leaves the answers when the session ends', async () => {
  const { page } = await draftOnWhenStep();
  await page.clock.fastForward('03:05');
  await dialog(page).waitFor({ state: 'visible', timeout: 5_000 });
  await navigation(page, () => page.clock.fastForward('02:00'));
  assert.notEqual(pathOf(page), '/report/crime/when', 'the answers stayed on screen after the session ended');
});

test('without JavaScript there is no dialog, and the page says how long answers are kept', async () => {
  const tracked = await bl.context({ ...VIEWPORTS.phone, javaScriptEnabled: false });
  const page = await tracked.context.newPage();
  await navigation(page, () => page.goto(bl.url('/')));
  assert.match((await page.locator('main').textContent()).replace(/\s+/g, ' '), /5 minutes/, 'the start page does not say answers are kept for 5 minutes');
  assert.equal(await page.getByRole('dialog').count(), 0);
});
