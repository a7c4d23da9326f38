// The staff workspace ("done when" of the staff workspace): a contact handler, an officer and a
// supervisor of the demo force, each signed in with a second factor, take an online report
// from arrival to outcome, and the reporter sees each step on their tracking page. Every
// staff page on the way is checked with axe; the officer works on a phone.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useBluelamp } from '../support/harness.mjs';
import { VIEWPORTS } from '../support/browser.mjs';
import {
  checkPortalPage,
  completeJourney,
  mainText,
  navigation,
  pathOf,
  pressContinue,
  readOneTimeCode,
} from '../support/portal.mjs';
import { checkStaffPage, demoAccount, firstSignIn, press } from '../support/staff.mjs';

const bl = useBluelamp({
  serverArgs: ['--demo'],
  serverEnv: { BLUELAMP_PORTAL_RATE_LIMIT_PER_MINUTE: '1000' },
});

const HANDLER_MESSAGE = 'Thank you for your report. An officer will look at it today.';
const OFFICER_MESSAGE = 'We have checked the CCTV from the library and will be in touch.';
const OUTCOME_LABEL = 'Unable to prosecute suspect';

/** A signed-in member of staff of `role` in a fresh context. */
async function staff(role, viewport = VIEWPORTS.desktop) {
  const { context, requests, consoleErrors } = await bl.context(viewport);
  const page = await context.newPage();
  const account = await demoAccount(bl.server.dataDir, role);
  await firstSignIn(page, bl.origin, account, { check: role === 'contact_handler' });
  return { page, requests, consoleErrors };
}

/** Opens `reference` from the queue with one click (the purpose is pre-filled). */
async function openFromQueue(page, reference, label) {
  await navigation(page, () => page.goto(bl.url('/staff/queue')));
  await checkStaffPage(page, `queue (${label})`);
  const link = page.getByRole('link', { name: reference, exact: true });
  assert.equal(await link.count(), 1, `${reference} is not in the queue`);
  await navigation(page, () => link.click());
  assert.match(pathOf(page), /^\/staff\/reports\//);
  assert.match(await mainText(page), new RegExp(`Opened for: Investigating report ${reference}`));
  await checkStaffPage(page, `report (${label})`);
}

/** Sends `text` to the reporter from the report page. */
async function messageReporter(page, text) {
  await page.locator('#text').fill(text);
  await press(page, 'Send the message');
  assert.match(await mainText(page), /Message sent to the reporter/);
}

test('a contact handler, an officer and a supervisor take a report from arrival to outcome; the reporter sees each step', async () => {
  // A member of the public reports a crime on a phone.
  const citizen = await bl.context(VIEWPORTS.phone);
  const public_ = await citizen.context.newPage();
  const reference = await completeJourney(public_, bl.origin, 'crime');
  // They follow it from the start (signed in with the e-mailed code), reloading after each step.
  await navigation(public_, () => public_.goto(bl.url('/track')));
  await public_.locator('#reference').fill(reference);
  await pressContinue(public_);
  const { code } = await readOneTimeCode(bl.server.dataDir, reference);
  await public_.locator('#code').fill(code);
  await pressContinue(public_);
  assert.equal(pathOf(public_), '/track/report');
  const reporterSees = async (expected, label) => {
    await public_.reload({ waitUntil: 'load' });
    const seen = await mainText(public_);
    for (const words of expected) {
      assert.ok(seen.includes(words), `after ${label}, the reporter does not see "${words}"`);
    }
    assert.ok(!seen.includes('THRIVE') && !seen.includes('suspect may come back'), `after ${label}, the reporter sees the police assessment`);
  };

  // The contact handler triages it: THRIVE assessment with a response grade, then tells the
  // reporter it is being looked at.
  const handler = await staff('contact_handler');
  await openFromQueue(handler.page, reference, 'contact handler');
  assert.match(await mainText(handler.page), /Recording decision\s*Due by/, 'the 24-hour recording clock is not shown');
  await handler.page.locator('#grade-priority').check();
  await handler.page.locator('#risk').fill('Medium: the suspect may come back for the other bikes.');
  await press(handler.page, 'Save the assessment');
  await checkStaffPage(handler.page, 'report after the assessment');
  assert.match(await mainText(handler.page), /Assessed \(THRIVE\): Grade 2: Priority/);
  await messageReporter(handler.page, HANDLER_MESSAGE);
  await reporterSees(['Being assessed', HANDLER_MESSAGE], 'triage');

  // The crime-recording decision: a Home Office classification, and the system issues the
  // crime number. Then the contact handler allocates it to the officer.
  await handler.page.locator('#classification').selectOption('49');
  await press(handler.page, 'Record as a crime');
  await checkStaffPage(handler.page, 'report after recording the crime');
  const facts = await handler.page.locator('#facts').innerText();
  const crimeNumber = /Crime number\s+(\S+)/.exec(facts)?.[1];
  assert.match(crimeNumber ?? '', /^\d+\/\d{4}\/\d{6}$/, `no crime number issued: ${facts}`);
  assert.doesNotMatch(facts, /Recording decision/, 'the recording clock still runs after the decision');
  const officerOption = handler.page.locator('#officer option', { hasText: 'Demo Officer' });
  await handler.page.locator('#officer').selectOption(await officerOption.first().getAttribute('value'));
  await press(handler.page, 'Allocate');
  assert.match(await handler.page.locator('#facts').innerText(), /Allocated to\s+Demo Officer/);
  await reporterSees(['Crime recorded', crimeNumber, 'Demo Officer'], 'recording and allocation');

  // The officer, on a phone, finds it in "My work" and updates the reporter.
  const officer = await staff('officer', VIEWPORTS.phone);
  await navigation(officer.page, () => officer.page.goto(bl.url('/staff/work')));
  await checkStaffPage(officer.page, 'my work (phone)');
  const mine = officer.page.getByRole('link', { name: reference, exact: true });
  assert.equal(await mine.count(), 1, `${reference} is not in the officer's work`);
  await navigation(officer.page, () => mine.click());
  await checkStaffPage(officer.page, 'report from my work (phone)');
  // From the report, the officer looks the reporter up (misspelt), with the report as the
  // purpose, and opens their person page: the report's event is linked.
  const reportUrl = officer.page.url();
  await navigation(officer.page, () =>
    officer.page.getByRole('link', { name: 'Search people, vehicles and places for this report' }).click());
  await checkStaffPage(officer.page, 'search with the report as purpose (phone)');
  await officer.page.locator('#q').fill('Alex Exampel');
  await press(officer.page, 'Search');
  await checkStaffPage(officer.page, 'search results (phone)');
  const person = officer.page.locator('#results a', { hasText: 'EXAMPLE' }).first();
  assert.equal(await person.count(), 1, `the reporter is not found: ${await mainText(officer.page)}`);
  await navigation(officer.page, () => person.click());
  await checkStaffPage(officer.page, 'person page (phone)');
  assert.match(await mainText(officer.page), new RegExp(`Opened for: Investigating report ${reference}`));
  assert.match(await mainText(officer.page), /Reporting person of/);
  // The reporter mentions their car: the officer records it and links it to them.
  await navigation(officer.page, () => officer.page.getByRole('link', { name: 'Add a linked vehicle' }).click());
  await checkStaffPage(officer.page, 'add a linked vehicle (phone)');
  await officer.page.locator('#role').selectOption('owner');
  await officer.page.locator('#vrm').fill('ab12cde');
  await officer.page.locator('#colour').fill('Blue');
  await press(officer.page, 'Add and link');
  await checkStaffPage(officer.page, 'the new vehicle (phone)');
  assert.match(await mainText(officer.page), /AB12 ?CDE/);
  assert.match(await mainText(officer.page), /Owner/);
  await navigation(officer.page, () => officer.page.goto(reportUrl));

  await messageReporter(officer.page, OFFICER_MESSAGE);
  await checkStaffPage(officer.page, 'report after the officer\'s message (phone)');
  await reporterSees([OFFICER_MESSAGE], 'the officer\'s message');

  // The supervisor records the outcome.
  const supervisor = await staff('supervisor');
  await openFromQueue(supervisor.page, reference, 'supervisor');
  await supervisor.page.locator('#outcome').selectOption('unable-to-prosecute');
  await supervisor.page.locator('#note').fill('Thank you for your patience.');
  await press(supervisor.page, 'Record the outcome and close');
  assert.match(await mainText(supervisor.page), /Outcome recorded: the report is closed/);
  await checkStaffPage(supervisor.page, 'closed report');

  // The reporter sees the outcome, explained.
  await reporterSees(['Closed', OUTCOME_LABEL, 'could not prosecute them', 'Thank you for your patience.'], 'the outcome');
  await checkPortalPage(public_, '/track/report after the police\'s work', { scroll: true });

  for (const who of [handler, officer, supervisor, citizen]) {
    who.requests.assertAllLocal('the staff workspace');
    who.consoleErrors.assertNone('the staff workspace');
  }
});

test('the sign-in page explains a wrong password without saying whether the account exists', async () => {
  const { context } = await bl.context(VIEWPORTS.phone);
  const page = await context.newPage();
  await navigation(page, () => page.goto(bl.url('/staff/sign-in')));
  await page.locator('#username').fill('nobody.here');
  await page.locator('#password').fill('not a password anyone has');
  await press(page, 'Continue');
  await checkStaffPage(page, 'sign-in with an error (phone)');
  const summary = page.locator('.govuk-error-summary');
  assert.equal(await summary.count(), 1, 'no error summary');
  assert.match(await summary.innerText(), /username or password is not right/);
  assert.equal(await page.locator('#username').inputValue(), 'nobody.here', 'the username typed was lost');
});

test('an investigator records a call as an incident: errors are accessible, then it joins the queue', async () => {
  // (The demo investigator: each demo account enrols its second factor once per server.)
  const handler = await staff('investigator');
  const { page } = handler;
  await navigation(page, () => page.goto(bl.url('/staff/incidents/new')));
  await checkStaffPage(page, '/staff/incidents/new');
  await page.locator('#summary').fill('Shed broken into overnight; two bikes taken.');
  await press(page, 'Record the incident');
  await checkStaffPage(page, '/staff/incidents/new with errors');
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Choose what is being reported/);
  assert.equal(await page.locator('#summary').inputValue(), 'Shed broken into overnight; two bikes taken.', 'what was typed was lost');
  await page.locator('#report_type').selectOption('burglary');
  await page.locator('#when').fill('2026-01-05T09:00');
  await page.locator('#address_line_1').fill('12 Mill Lane');
  await page.locator('#address_town').fill('Leicester');
  await page.locator('#caller_name').fill('Jane Doe');
  await press(page, 'Record the incident');
  assert.match(pathOf(page), /^\/staff\/reports\//);
  await checkStaffPage(page, 'the recorded incident');
  const text = await mainText(page);
  assert.match(text, /Report received by phone/);
  assert.match(text, /Recording decision\s*(Due by|Overdue)/);
  handler.requests.assertAllLocal('recording an incident');
  handler.consoleErrors.assertNone('recording an incident', { allowStatus: [422] }); // the form with errors answers 422
});
