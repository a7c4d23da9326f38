// Following a report (docs/portal.md, "done when"): on a phone, a person reports a crime with
// a photo, gets a reference, signs in to it with the code e-mailed to them, sends a message
// with a file, and sees the police's updates (made through the real API with a demo
// officer's token) on their tracking page: crime number, message, and the outcome explained.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useBluelamp } from '../support/harness.mjs';
import { VIEWPORTS, assertNoAxeViolations } from '../support/browser.mjs';
import {
  assertErrorState,
  assertStatus,
  assertValueKept,
  checkPortalPage,
  completeJourney,
  demoToken,
  mainText,
  makeReference,
  navigation,
  outboxFiles,
  pathOf,
  policeUpdate,
  pressContinue,
  readOneTimeCode,
  sendMessage,
  textFile,
} from '../support/portal.mjs';

// --demo writes one account per role, with its bearer token, to <data_dir>/demo-accounts.txt.
const bl = useBluelamp({
  serverArgs: ['--demo'],
  serverEnv: { BLUELAMP_PORTAL_RATE_LIMIT_PER_MINUTE: '1000' },
});

const CRIME_NUMBER = 'LE/2026/000123';
const OFFICER = 'PC 2741 Patel';
const POLICE_MESSAGE = 'Thank you. We have checked the CCTV from the library and will be in touch.';
const OUTCOME_LABEL = 'Unable to prosecute suspect';
const OUTCOME_EXPLANATION = /could not prosecute them/;

async function phone(options = {}) {
  const tracked = await bl.context({ ...VIEWPORTS.phone, ...options });
  const page = await tracked.context.newPage();
  return { page, ...tracked };
}

/** Asks for a code for `reference` from /track; returns the code page's state. */
async function askForCode(page, reference, { check = true } = {}) {
  await navigation(page, () => page.goto(bl.url('/track')));
  assert.equal(pathOf(page), '/track');
  if (check) await checkPortalPage(page, '/track');
  const before = await outboxFiles(bl.server.dataDir);
  await page.locator('#reference').fill(reference);
  await pressContinue(page);
  assert.equal(pathOf(page), '/track/code', `after entering ${reference}`);
  if (check) await checkPortalPage(page, '/track/code');
  return before;
}

test('report a crime with a photo on a phone, follow it with the e-mailed code, exchange messages, see the outcome', async () => {
  const { page, requests, consoleErrors } = await phone();
  const check = async (label) => {
    await checkPortalPage(page, label, { scroll: true });
  };

  // Report a crime with evidence (journeys.test.mjs checks each of these pages with axe).
  const reference = await completeJourney(page, bl.origin, 'crime', {
    onPage: async (label) => {
      if (label.endsWith('/done')) await check(label);
    },
  });

  // From the confirmation, follow the report: reference, then the e-mailed code.
  const before = await askForCode(page, reference);
  const { code, mail } = await readOneTimeCode(bl.server.dataDir, reference, { notBefore: before });
  assert.match(mail.headers, /^to:.*alex@example\.com/im, 'the code was not sent to the address on the report');
  await page.locator('#code').fill(code);
  await pressContinue(page);
  assert.equal(pathOf(page), '/track/report', 'the right code did not open the report');
  await check('/track/report');

  const main = () => mainText(page);
  assert.ok((await main()).includes(reference), 'the tracking page does not name the reference');
  await assertStatus(page, 'Received');
  // The timeline starts with the report as sent, with its photo.
  assert.equal(await page.locator('main time[datetime]').count() >= 1, true, 'no dated timeline entry');
  const timelineText = main;
  assert.ok((await timelineText()).includes('broken-window.jpg'), 'the photo sent with the report is not in the timeline');

  // Send a message with a file.
  const message = 'I found the receipt for the bike; it is attached.';
  await sendMessage(page, message, [textFile('receipt.txt')]);
  assert.equal(pathOf(page), '/track/report');
  await check('/track/report after sending a message');
  assert.match(await main(), /message has been sent|message was sent|sent your message/i, 'no confirmation that the message was sent');
  assert.ok((await timelineText()).includes(message), 'the message is not in the timeline');
  assert.ok((await timelineText()).includes('receipt.txt'), 'the file sent with the message is not in the timeline');
  assert.equal(await page.locator('#message').inputValue(), '', 'the message box was not emptied after sending');

  // The police move the report on through the API.
  const token = await demoToken(bl.server.dataDir, 'officer');
  await policeUpdate(bl.origin, token, reference, { type: 'assessing' });
  await page.reload({ waitUntil: 'load' });
  await check('/track/report being assessed');
  await assertStatus(page, 'Being assessed');

  await policeUpdate(bl.origin, token, reference, { type: 'crime_recorded', crime_number: CRIME_NUMBER });
  await policeUpdate(bl.origin, token, reference, { type: 'officer_assigned', officer: OFFICER });
  await policeUpdate(bl.origin, token, reference, { type: 'message', text: POLICE_MESSAGE });
  await page.reload({ waitUntil: 'load' });
  await check('/track/report with a crime number, an officer and a message');
  await assertStatus(page, 'Officer assigned');
  assert.ok((await main()).includes(CRIME_NUMBER), 'the crime number is not shown');
  assert.ok((await main()).includes(OFFICER), 'the officer assigned is not shown');
  assert.ok((await timelineText()).includes(POLICE_MESSAGE), 'the police message is not in the timeline');

  await policeUpdate(bl.origin, token, reference, { type: 'outcome', code: 'unable-to-prosecute' });
  await page.reload({ waitUntil: 'load' });
  await check('/track/report with an outcome');
  await assertStatus(page, 'Closed');
  const text = await main();
  assert.ok(text.includes(OUTCOME_LABEL), `the outcome "${OUTCOME_LABEL}" is not shown`);
  assert.match(text, OUTCOME_EXPLANATION, 'the outcome is not explained in plain English');
  assert.ok(text.includes(CRIME_NUMBER), 'the crime number is gone after the outcome');

  // Sign out: the report is no longer open.
  await navigation(page, () => page.locator('form[action="/track/sign-out"] button[type="submit"]').click());
  await checkPortalPage(page, 'after signing out');
  await navigation(page, () => page.goto(bl.url('/track/report')));
  assert.notEqual(pathOf(page), '/track/report', 'the report is still open after signing out');
  assert.ok(!(await page.content()).includes(POLICE_MESSAGE), 'the report is still shown after signing out');

  requests.assertAllLocal('following a report');
  consoleErrors.assertNone('following a report');
});

test('a wrong code, or none, shows an accessible error and keeps what was typed; the right one still works', async () => {
  const { page, requests, consoleErrors } = await phone();
  const reference = await completeJourney(page, bl.origin, 'anti-social-behaviour');
  const before = await askForCode(page, reference, { check: false });
  const { code } = await readOneTimeCode(bl.server.dataDir, reference, { notBefore: before });

  await pressContinue(page);
  assert.equal(pathOf(page), '/track/code');
  await assertErrorState(page, '/track/code with no code', { field: 'code', message: /code/i });

  const wrong = code === '000000' ? '111111' : '000000';
  await page.locator('#code').fill(wrong);
  await pressContinue(page);
  assert.equal(pathOf(page), '/track/code', 'a wrong code opened the report');
  await assertErrorState(page, '/track/code with a wrong code', { field: 'code', message: /code/i });
  await assertValueKept(page, 'code', wrong, '/track/code');

  await page.locator('#code').fill(code);
  await pressContinue(page);
  assert.equal(pathOf(page), '/track/report', 'the right code did not open the report after a wrong one');
  await assertStatus(page, 'Received');

  // An empty message with no file is an error too.
  await sendMessage(page, '');
  assert.match(pathOf(page), /^\/track\/report(\/message)?$/); // the error page may answer the post itself
  await assertErrorState(page, '/track/report with an empty message', { field: 'message', message: /message|file/i });

  requests.assertAllLocal('a wrong code');
  consoleErrors.assertNone('a wrong code', { allowStatus: [422] }); // error pages answer 422
});

test('every reference gets the same answer, so nobody can learn which exist; a mistyped one is an error', async () => {
  const { page } = await phone();
  await navigation(page, () => page.goto(bl.url('/track')));
  for (const [typed, message] of [['', /enter/i], ['BL-1234', /11 letters/i], [makeReference('2222333344').replace(/.$/, (c) => (c === '0' ? '1' : '0')), /mistake/i]]) {
    await page.locator('#reference').fill(typed);
    await pressContinue(page);
    assert.equal(pathOf(page), '/track', `a bad reference ${JSON.stringify(typed)} was accepted`);
    await assertErrorState(page, `/track with ${JSON.stringify(typed)}`, { field: 'reference', message });
    await assertValueKept(page, 'reference', typed, '/track');
  }

  await askForCode(page, makeReference('2222333344'), { check: false });
  const unknown = (await page.locator('main').textContent()).replace(/BL-[0-9A-Z-]+/g, 'REF').replace(/\s+/g, ' ');
  await assertNoAxeViolations(page, { label: '/track/code for an unknown reference' });

  const reference = await completeJourney(page, bl.origin, 'anti-social-behaviour');
  await askForCode(page, reference, { check: false });
  const known = (await page.locator('main').textContent()).replace(/BL-[0-9A-Z-]+/g, 'REF').replace(/\s+/g, ' ');
  assert.equal(known, unknown, 'the code page differs between a real reference and an unknown one');
});
