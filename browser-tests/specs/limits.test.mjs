// The portal's limits and refusals, as a person meets them: a file over the upload limit
// (`BLUELAMP_MAX_UPLOAD_BYTES`), too many form posts in a minute
// (`BLUELAMP_PORTAL_RATE_LIMIT_PER_MINUTE`), and a form sent after its session has gone. Each
// is explained on an accessible page, with "Leave this site".

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useBluelamp } from '../support/harness.mjs';
import { VIEWPORTS, assertNoAxeViolations } from '../support/browser.mjs';
import {
  answerStep,
  answersFor,
  assertErrorState,
  assertFileListed,
  assertQuickExit,
  assertStep,
  jpegFile,
  navigation,
  pathOf,
  pressContinue,
  removeButtons,
  uploadAndStay,
} from '../support/portal.mjs';

const MAX_UPLOAD_BYTES = 8_000; // shown as "8 KB"
// Enough for the tests before the rate-limit test (which runs last and posts until refused).
const RATE_LIMIT = 20;

const bl = useBluelamp({
  serverEnv: {
    BLUELAMP_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    BLUELAMP_PORTAL_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
  },
});

async function phone() {
  const tracked = await bl.context(VIEWPORTS.phone);
  const page = await tracked.context.newPage();
  return { page, ...tracked };
}

test('a file over the upload limit is refused with an accessible error; the evidence page says the limit', async () => {
  const { page } = await phone();
  const journey = 'anti-social-behaviour';
  const answers = answersFor(journey);
  await navigation(page, () => page.goto(bl.url(`/report/${journey}`)));
  for (const step of ['type', 'when', 'where', 'what', 'suspect']) {
    assertStep(page, journey, step);
    await answerStep(page, answers[step]);
    await pressContinue(page);
  }
  assertStep(page, journey, 'evidence');
  assert.match(await page.locator('main').textContent(), /\b8 KB\b/, 'the evidence page does not say the 8 KB limit');

  // A real JPEG padded past the limit (bytes after the end-of-image marker are ignored by viewers).
  const photo = jpegFile('too-big.jpg');
  const big = { ...photo, buffer: Buffer.concat([photo.buffer, Buffer.alloc(MAX_UPLOAD_BYTES, 0)]) };
  await page.locator('#file').setInputFiles(big);
  await uploadAndStay(page);
  assertStep(page, journey, 'evidence');
  await assertErrorState(page, 'evidence with a file over the limit', { field: 'file', message: /too large/i });
  assert.equal(await removeButtons(page).count(), 0, 'the refused file is listed');

  // A file under the limit is still taken.
  await page.locator('#file').setInputFiles(jpegFile('small.jpg'));
  await uploadAndStay(page);
  await assertFileListed(page, 'small.jpg');
});

test('a form sent after its session has gone gets an accessible explanation, not a crash', async () => {
  const { page, context } = await phone();
  await navigation(page, () => page.goto(bl.url('/report/crime')));
  assertStep(page, 'crime', 'type');
  await answerStep(page, answersFor('crime').type);
  await context.clearCookies();
  const response = page.waitForResponse((r) => r.request().method() === 'POST');
  await pressContinue(page);
  assert.equal((await response).status(), 403);
  await assertNoAxeViolations(page, { label: 'the refused form page' });
  await assertQuickExit(page, 'the refused form page');
  assert.match(await page.locator('h1').textContent(), /could not accept/i);
  assert.ok((await page.locator('main a[href="/"]').count()) >= 1, 'no way back to the start page');
});

test('too many form posts in a minute get an accessible "too many attempts" page', async () => {
  const { page } = await phone();
  await navigation(page, () => page.goto(bl.url('/track')));
  let status = 0;
  // Twice the limit and more: enough even if a fixed one-minute window rolls over meanwhile.
  for (let posts = 0; posts <= 2 * RATE_LIMIT + 1 && status !== 429; posts++) {
    await page.locator('#reference').fill('BL-1234');
    const response = page.waitForResponse((r) => r.request().method() === 'POST');
    await pressContinue(page);
    status = (await response).status();
    if (status !== 429) assert.equal(pathOf(page), '/track');
  }
  assert.equal(status, 429, `no post was refused after ${2 * RATE_LIMIT + 2} in a minute with a limit of ${RATE_LIMIT}`);
  await assertNoAxeViolations(page, { label: 'the too-many-attempts page' });
  await assertQuickExit(page, 'the too-many-attempts page');
  assert.match(await page.locator('h1').textContent(), /too many/i);
  assert.match(await page.locator('main').textContent(), /999/, 'the page does not say to call 999 in an emergency');
});
