// The citizen portal (docs/portal.md is the contract): its journeys step by step, the files a
// test uploads, the e-mailed one-time code, the police side's API, and the checks every
// portal page must pass.
//
//   import { JOURNEYS, completeJourney, checkPortalPage } from '../support/portal.mjs';
//   const reference = await completeJourney(page, 'crime', { onPage: (label) => checkPortalPage(page, label) });

import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { assertNoAxeViolations, assertNoHorizontalScroll, onScriptedPage } from './browser.mjs';

/** A report reference as the confirmation page shows it, e.g. `BL-7K3M-9QXD-2HJ`. */
export const REFERENCE_PATTERN = /^BL-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}$/;

/** The journeys (`/report/{journey}`) and their steps in order, before `check`. */
export const STEPS = {
  crime: [
    'type', 'when', 'where', 'what', 'suspect', 'property', 'evidence', 'victim', 'witness', 'you',
    'support', 'contact', 'victims-code',
  ],
  'anti-social-behaviour': [
    'type', 'when', 'where', 'what', 'suspect', 'evidence', 'you', 'support', 'contact',
  ],
  'road-traffic': ['rules', 'type', 'when', 'where', 'vehicle', 'what', 'evidence', 'you'],
  // `you` is skipped when the informant stays anonymous.
  information: ['anonymous', 'what', 'when', 'where', 'suspect', 'evidence', 'you'],
};

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A well-formed reference for ten Crockford base-32 `symbols` (its Luhn mod 32 check symbol
 * added), e.g. one that no report has.
 */
export function makeReference(symbols = '2222333344') {
  const values = [...symbols].map((c) => CROCKFORD.indexOf(c));
  assert.ok(values.length === 10 && values.every((v) => v >= 0), `not ten base-32 symbols: ${symbols}`);
  let factor = 2;
  let sum = 0;
  for (const value of [...values].reverse()) {
    const addend = factor * value;
    sum += Math.floor(addend / 32) + (addend % 32);
    factor = factor === 2 ? 1 : 2;
  }
  const all = symbols + CROCKFORD[(32 - (sum % 32)) % 32];
  return `BL-${all.slice(0, 4)}-${all.slice(4, 8)}-${all.slice(8)}`;
}

// ------------------------------------------------------------------------------------------
// Files to upload

/**
 * A 16x16 JPEG (a yellow square on blue) that Chromium's canvas encoded for this test
 * suite: a real baseline JFIF file, not just its magic number.
 */
const TINY_JPEG_BASE64 =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCAAQABADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAP/xAAeEAAABAcAAAAAAAAAAAAAAAAFERITAAEVJEJRYf/EABUBAQEAAAAAAAAAAAAAAAAAAAMF/8QAJBEAAAELBQAAAAAAAAAAAAAAABEUFSQlMTJRUmNkgYKRkvD/2gAMAwEAAhEDEQA/AJgQFWn7lllOCjM+y1AdAqKxcvPKwSRF2e4AQ7RX7Z55OaSI+T3AdHa0xbMsqzUZlyWodrJbH209ovEEpUNLms+HD//Z';

/** A small valid JPEG photo, for `page.setInputFiles`. */
export function jpegFile(name = 'broken-window.jpg') {
  return { name, mimeType: 'image/jpeg', buffer: Buffer.from(TINY_JPEG_BASE64, 'base64') };
}

/** An ISO base media box: 32-bit size, 4-letter type, body. */
function isoBox(type, ...parts) {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/**
 * A minimal MP4 (ISO base media, major brand `isom`): an `ftyp` box, a `moov` with a
 * version-0 `mvhd` (one second long) and a small `mdat`. Enough for content sniffing.
 */
export function mp4File(name = 'dashcam.mp4') {
  const ftyp = isoBox('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), Buffer.from('isommp41', 'latin1'));
  const mvhd = isoBox(
    'mvhd',
    u32(0), // version 0, no flags
    u32(0), // creation time
    u32(0), // modification time
    u32(1000), // timescale: 1000 units a second
    u32(1000), // duration: one second
    u32(0x00010000), // rate 1.0
    Buffer.from([0x01, 0x00]), // volume 1.0
    Buffer.alloc(10), // reserved
    ...[0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map(u32), // unity matrix
    Buffer.alloc(24), // pre-defined
    u32(2), // next track id
  );
  const moov = isoBox('moov', mvhd);
  const mdat = isoBox('mdat', Buffer.from('bluelamp test footage', 'latin1'));
  return { name, mimeType: 'video/mp4', buffer: Buffer.concat([ftyp, moov, mdat]) };
}

function u32(value) {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0, 0);
  return buffer;
}

const TINY_PDF =
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' +
  '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

/** A small PDF document. */
export function pdfFile(name = 'notes.pdf') {
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(TINY_PDF, 'latin1') };
}

/** A PDF document named as if it were a JPEG photo: the server must refuse it. */
export function pdfNamedJpeg(name = 'holiday.jpg') {
  return { ...pdfFile(name), mimeType: 'image/jpeg' };
}

/** A short plain-text document, e.g. for a message on the tracking page. */
export function textFile(name = 'receipt.txt') {
  return { name, mimeType: 'text/plain', buffer: Buffer.from('Receipt for a black Carrera bike, 320 pounds.\n') };
}

// ------------------------------------------------------------------------------------------
// Dates

/** Today in the UK as `{ day, month, year }` strings (the server's "today"). */
export function ukToday() {
  return ukDate(new Date());
}

/** A date `days` from today in the UK (negative: in the past). */
export function ukDaysFromToday(days) {
  return ukDate(new Date(Date.now() + days * 24 * 60 * 60 * 1000));
}

function ukDate(date) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'numeric', year: 'numeric' })
      .formatToParts(date)
      .filter((part) => part.type !== 'literal')
      .map((part) => [part.type, part.value]),
  );
  return { day: parts.day, month: parts.month, year: parts.year };
}

// ------------------------------------------------------------------------------------------
// Answers

/**
 * What each journey answers at each step, as plain data: `fill` (id → text typed),
 * `check` (selectors of radios/checkboxes to select), `files` (uploaded on the evidence step).
 * The values are valid; tests change them to make errors.
 */
export function answersFor(journey) {
  const yesterday = ukDaysFromToday(-1);
  const common = {
    when: { fill: { 'when-day': yesterday.day, 'when-month': yesterday.month, 'when-year': yesterday.year, when_time: '14:30' } },
    where: { fill: { address_line_1: '12 High Street', address_town: 'Leicester', address_postcode: 'LE1 6ZG' } },
  };
  switch (journey) {
    case 'crime':
      return {
        type: { check: ['input[name="report_type"][value="theft-bicycle"]'] },
        ...common,
        what: { fill: { summary: 'My bicycle was taken from the rack outside the library while I was inside.' } },
        suspect: { check: ['input[name="suspect_known"][value="no"]'], fill: { suspect_description: 'A tall man in a grey hoodie.' } },
        property: { fill: { property_description: 'A black Carrera mountain bike', serial_number: 'WTU123456789' } },
        evidence: { files: [jpegFile()] },
        victim: { check: ['input[name="victim"][value="me"]'] },
        witness: { check: ['input[name="witness_known"][value="no"]'] },
        you: { fill: { full_name: 'Alex Example', 'dob-day': '31', 'dob-month': '3', 'dob-year': '1980', email: 'alex@example.com', phone: '07700 900123' } },
        support: { check: ['input[name="support"][value="victim-support"]'] },
        contact: { check: ['input[name="contact_preference"][value="email"]'], fill: { contact_times: 'Weekdays after 6pm' } },
        'victims-code': {},
      };
    case 'anti-social-behaviour':
      return {
        type: { check: ['input[name="report_type"][value="asb-nuisance"]'] },
        ...common,
        what: { fill: { summary: 'Loud music and shouting from the park every night after midnight.' } },
        suspect: { check: ['input[name="suspect_known"][value="no"]'] },
        evidence: { files: [jpegFile('park-at-night.jpg')] },
        you: { fill: { full_name: 'Sam Example', email: 'sam@example.com' } },
        support: {},
        contact: { check: ['input[name="contact_preference"][value="email"]'] },
      };
    case 'road-traffic':
      return {
        rules: {
          check: ['age', 'statement', 'clip'].map((value) => `input[name="confirm"][value="${value}"]`),
        },
        type: { check: ['input[name="report_type"][value="road-phone"]'] },
        // Yesterday, not today: a time of day that is still to come today (before 08:15) is
        // rightly refused as in the future.
        when: { fill: { 'when-day': yesterday.day, 'when-month': yesterday.month, 'when-year': yesterday.year, when_time: '08:15' } },
        where: common.where,
        vehicle: { fill: { vrm: 'AB12 CDE', vehicle_make: 'Ford', vehicle_model: 'Focus', vehicle_colour: 'Silver' } },
        what: { fill: { summary: 'The driver of the silver Focus was holding a phone to their ear at the lights.' } },
        evidence: { files: [mp4File()] },
        you: { fill: { full_name: 'Jo Example', 'dob-day': '1', 'dob-month': '6', 'dob-year': '1975', email: 'jo@example.com' } },
      };
    case 'information':
      return {
        anonymous: { check: ['input[name="anonymous"][value="yes"]'] },
        what: { fill: { summary: 'Stolen bikes are being sold from the garage behind the takeaway on Mill Lane.' } },
        when: {},
        where: { fill: { address_line_1: 'Mill Lane', address_town: 'Leicester' } },
        suspect: { check: ['input[name="suspect_known"][value="no"]'] },
        evidence: { files: [pdfFile('sightings.pdf')] },
      };
    default:
      throw new Error(`no answers for journey ${journey}`);
  }
}

// ------------------------------------------------------------------------------------------
// Moving through pages

/** Waits for the next document to load after `action` (a click, a key press). */
export async function navigation(page, action) {
  const loaded = page.waitForEvent('load', { timeout: 30_000 });
  await action();
  await loaded;
}

/** The path of the page shown, e.g. `/report/crime/when`. */
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/** Fails unless the page shown is `/report/{journey}/{step}`. */
export function assertStep(page, journey, step) {
  assert.equal(pathOf(page), `/report/${journey}/${step}`, `expected the ${step} step of ${journey}`);
}

/** Clicks the page's `Continue` button and waits for the next page. */
export async function pressContinue(page) {
  const button = page.getByRole('button', { name: 'Continue', exact: true });
  assert.equal(await button.count(), 1, `no single "Continue" button on ${page.url()}`);
  await navigation(page, () => button.click());
}

/** Fills a step's answers with the mouse and `fill` (not the keyboard-only way). */
export async function answerStep(page, answer = {}) {
  for (const selector of answer.check ?? []) await page.locator(selector).check();
  for (const [id, value] of Object.entries(answer.fill ?? {})) await page.locator(`[id="${id}"]`).fill(value);
  if (answer.files?.length) await page.locator('input[type="file"][name="file"]').setInputFiles(answer.files);
}

/**
 * Goes through `journey` from `/report/{journey}` to the confirmation page, answering from
 * `answers` (default `answersFor(journey)`), calling `onPage(label)` on every page shown
 * (each question, "Check your answers", the confirmation). Returns the reference.
 *
 * Uploads happen with the evidence page's upload button first (`uploadAndStay`), so that the
 * page listing the files is seen (and checked) too.
 */
export async function completeJourney(page, origin, journey, { answers = answersFor(journey), onPage = async () => {} } = {}) {
  await navigation(page, () => page.goto(new URL(`/report/${journey}`, origin).href));
  const anonymous = answers.anonymous?.check?.some((s) => s.includes('value="yes"'));
  for (const step of STEPS[journey]) {
    if (journey === 'information' && step === 'you' && anonymous) continue;
    assertStep(page, journey, step);
    await onPage(`${journey}/${step}`);
    const answer = answers[step] ?? {};
    if (step === 'evidence' && answer.files?.length) {
      await answerStep(page, answer);
      await uploadAndStay(page);
      assertStep(page, journey, 'evidence');
      for (const file of answer.files) {
        await assertFileListed(page, file.name);
      }
      await onPage(`${journey}/evidence with ${answer.files.length} file(s) added`);
      await pressContinue(page);
      continue;
    }
    await answerStep(page, answer);
    await pressContinue(page);
  }
  assertStep(page, journey, 'check');
  await onPage(`${journey}/check`);
  const submit = page.getByRole('button', { name: 'Submit report', exact: true });
  assert.equal(await submit.count(), 1, 'no single "Submit report" button on Check your answers');
  await navigation(page, () => submit.click());
  assertStep(page, journey, 'done');
  await onPage(`${journey}/done`);
  return readReference(page);
}

/**
 * The evidence page's button that uploads the chosen files and stays on the page (docs/portal.md
 * names only `Continue`, which uploads and goes on; today it says "Upload and add another file").
 */
export function uploadButton(page) {
  return page.locator('form[enctype="multipart/form-data"] button[type="submit"]').filter({ hasText: /upload|add/i }).first();
}

/** Uploads the files chosen on the evidence page, staying on it. */
export async function uploadAndStay(page) {
  const button = uploadButton(page);
  assert.equal(await button.count(), 1, `no button to upload a file and add another on ${page.url()}`);
  await navigation(page, () => button.click());
}

/** The buttons that remove an added file (`remove=<n>`), on the evidence page. */
export function removeButtons(page) {
  return page.locator('button[name="remove"]');
}

/** The words of the tracking page's main content, spaces collapsed. */
export async function mainText(page) {
  return (await page.locator('main').textContent()).replace(/\s+/g, ' ');
}

/** Fails unless the tracking page shows the status `label` (e.g. "Received"). */
export async function assertStatus(page, label) {
  assert.match(await mainText(page), new RegExp(`Status:?\\s*${label}\\b`), `the tracking page does not show the status "${label}"`);
}

/** Sends a message (and files) from the tracking page (`POST /track/report/message`). */
export async function sendMessage(page, text, files = []) {
  const form = page.locator('form[action="/track/report/message"]');
  assert.equal(await form.count(), 1, 'no message form on the tracking page');
  if (text) await form.locator('#message').fill(text);
  if (files.length) await form.locator('#file').setInputFiles(files);
  await navigation(page, () => form.locator('button[type="submit"]').first().click());
}

/** Fails unless the evidence page lists a file called `name`. */
export async function assertFileListed(page, name) {
  const listed = await page.locator('.govuk-summary-list__key').allTextContents();
  assert.ok(
    listed.map((t) => t.trim()).includes(name),
    `the evidence page does not list ${name}; it lists: ${JSON.stringify(listed)}`,
  );
}

/** The reference on the confirmation panel, checked against `REFERENCE_PATTERN`. */
export async function readReference(page) {
  const strong = page.locator('.govuk-panel__body strong');
  assert.equal(await strong.count(), 1, 'the confirmation panel has no single <strong> reference');
  const reference = (await strong.textContent()).trim();
  assert.match(reference, REFERENCE_PATTERN, `the reference ${JSON.stringify(reference)} is not like BL-XXXX-XXXX-XXX`);
  return reference;
}

// ------------------------------------------------------------------------------------------
// Checks

/** Fails unless the page has the contract's "Leave this site" link to `exitUrl` (if given). */
export async function assertQuickExit(page, label, exitUrl) {
  const link = page.locator('a#quick-exit');
  assert.equal(await link.count(), 1, `no a#quick-exit on ${label}`);
  assert.match((await link.textContent()).trim(), /^Leave this site$/, `quick exit words on ${label}`);
  const classes = ((await link.getAttribute('class')) ?? '').split(/\s+/);
  assert.ok(classes.includes('bl-quick-exit'), `a#quick-exit lacks class bl-quick-exit on ${label}`);
  assert.ok(await link.isVisible(), `"Leave this site" is not visible on ${label}`);
  if (exitUrl) assert.equal(await link.getAttribute('href'), exitUrl, `quick exit target on ${label}`);
}

/**
 * Every portal page: axe clean (WCAG 2.2 AA), a title, one h1, the quick exit; with
 * `scroll`, no sideways scrolling either (both on one replica when JavaScript is off).
 */
export async function checkPortalPage(page, label, { scroll = false } = {}) {
  await onScriptedPage(page, async (shown) => {
    await assertNoAxeViolations(shown, { label });
    if (scroll) await assertNoHorizontalScroll(shown, label);
  });
  const title = await page.title();
  assert.ok(title.trim(), `no title on ${label}`);
  assert.equal(await page.locator('h1').count(), 1, `not exactly one h1 on ${label}`);
  await assertQuickExit(page, label);
  await assertFormGuards(page, label);
}

/**
 * Every form that asks something is a POST with the session's `csrf_token` and the empty,
 * unfocusable, off-screen honeypot `website` (docs/portal.md, "Every page").
 */
export async function assertFormGuards(page, label) {
  for (const form of await page.locator('main form').all()) {
    const asks = await form.locator('input:not([type="hidden"]):not([name="website"]), textarea, select').count();
    if (asks === 0) continue; // a button-only form, e.g. "Sign out"
    assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'post', `a form on ${label} is not a POST`);
    const token = form.locator('input[type="hidden"][name="csrf_token"]');
    assert.equal(await token.count(), 1, `a form on ${label} has no csrf_token`);
    assert.ok((await token.getAttribute('value'))?.length >= 16, `the csrf_token on ${label} is empty or short`);
    const honeypot = form.locator('input[name="website"]');
    assert.equal(await honeypot.count(), 1, `a form on ${label} has no honeypot field "website"`);
    assert.equal(await honeypot.getAttribute('tabindex'), '-1', `the honeypot on ${label} can be tabbed to`);
    assert.equal(await honeypot.getAttribute('autocomplete'), 'off', `the honeypot on ${label} may be autofilled`);
    assert.equal(await honeypot.inputValue(), '', `the honeypot on ${label} is not empty`);
    const box = await honeypot.boundingBox();
    assert.ok(!box || box.x + box.width <= 0 || box.width <= 1, `the honeypot on ${label} is visible: ${JSON.stringify(box)}`);
  }
}

/**
 * The error state of a question page: the title starts with "Error: ", the error summary is
 * there (focused when JavaScript runs) and links to `field`'s input, the inline message of
 * `field` is shown (`#<field>-error`), optionally matching `message`, and axe is clean.
 */
export async function assertErrorState(page, label, { field, target = field, message, javaScript = true }) {
  const title = await page.title();
  assert.ok(title.startsWith('Error: '), `the title of ${label} does not start with "Error: ": ${JSON.stringify(title)}`);
  const summary = page.locator('.govuk-error-summary');
  assert.equal(await summary.count(), 1, `no error summary on ${label}`);
  assert.ok(await summary.isVisible(), `the error summary is not visible on ${label}`);
  const links = [];
  for (const a of await summary.locator('a').all()) links.push(await a.getAttribute('href'));
  assert.ok(links.includes(`#${target}`), `the error summary on ${label} does not link to #${target}: ${JSON.stringify(links)}`);
  assert.equal(await page.locator(`[id="${target}"]`).count(), 1, `the summary's link target #${target} is not on ${label}`);
  if (javaScript) {
    // The summary takes focus on load (the page's script does it).
    await page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'), null, { timeout: 5_000 }).catch(() => {});
    const focusedSummary = await page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary') ?? false);
    assert.ok(focusedSummary, `the error summary is not focused on ${label} (focus is on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120))})`);
  }
  const inline = page.locator(`[id="${field}-error"]`);
  assert.equal(await inline.count(), 1, `no inline error #${field}-error on ${label}`);
  assert.ok(await inline.isVisible(), `the inline error #${field}-error is not visible on ${label}`);
  const text = (await inline.textContent()).replace(/\s+/g, ' ').trim();
  if (message) assert.match(text, message, `the inline error on ${label}`);
  const summaryText = (await summary.textContent()).replace(/\s+/g, ' ');
  assert.ok(summaryText.includes(text.replace(/^Error:\s*/, '')), `the summary on ${label} does not repeat the inline error ${JSON.stringify(text)}`);
  await assertNoAxeViolations(page, { label: `${label} (error state)` });
}

/**
 * Any error state: the title starts with "Error: ", the error summary is shown (and focused
 * when JavaScript runs), each of its links points at an element of the page that has an
 * inline message, and axe is clean. Returns the summary's targets.
 */
export async function assertSomeErrorState(page, label, { javaScript = true } = {}) {
  const title = await page.title();
  assert.ok(title.startsWith('Error: '), `the title of ${label} does not start with "Error: ": ${JSON.stringify(title)}`);
  const summary = page.locator('.govuk-error-summary');
  assert.equal(await summary.count(), 1, `no error summary on ${label}`);
  const targets = [];
  for (const a of await summary.locator('a').all()) targets.push((await a.getAttribute('href')).replace(/^#/, ''));
  assert.ok(targets.length > 0, `the error summary on ${label} links to nothing`);
  for (const target of targets) {
    const element = page.locator(`[id="${target}"]`);
    assert.equal(await element.count(), 1, `the summary on ${label} links to #${target}, which is not on the page`);
    const group = page.locator('.govuk-form-group--error').filter({ has: element });
    assert.ok((await group.count()) >= 1, `#${target} on ${label} is not in a form group marked as in error`);
    assert.ok((await group.last().locator('.govuk-error-message').count()) >= 1, `no inline message for #${target} on ${label}`);
  }
  if (javaScript) {
    await page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'), null, { timeout: 5_000 }).catch(() => {});
    assert.ok(
      await page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary') ?? false),
      `the error summary is not focused on ${label}`,
    );
  }
  await assertNoAxeViolations(page, { label: `${label} (error state)` });
  return targets;
}

/** Fails unless the input `id` holds `value` (what the person typed was not lost). */
export async function assertValueKept(page, id, value, label) {
  assert.equal(await page.locator(`[id="${id}"]`).inputValue(), value, `#${id} lost what was typed on ${label}`);
}

// ------------------------------------------------------------------------------------------
// The e-mailed code and the police side

/** Decodes an RFC 5322 message's text body (7bit, quoted-printable or base64). */
export function decodeMail(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(unfolded)?.[1]?.toLowerCase() ?? '7bit';
  const subject = /^subject:\s*(.*)$/im.exec(unfolded)?.[1] ?? '';
  let text = body;
  if (encoding === 'quoted-printable') {
    const bytes = [];
    const joined = body.replace(/=\r?\n/g, '');
    for (let i = 0; i < joined.length; i++) {
      if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
        bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(joined[i], 'utf8'));
      }
    }
    text = Buffer.from(bytes).toString('utf8');
  } else if (encoding === 'base64') {
    text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { subject, text, headers: unfolded };
}

/**
 * The newest one-time code e-mailed for `reference` (read from `<dataDir>/outbox/*.eml`,
 * written by the default mail sink), waiting up to `timeoutMs` for it. Pass `notBefore`
 * (a list of .eml names already seen) to wait for a new one.
 */
export async function readOneTimeCode(dataDir, reference, { timeoutMs = 10_000, notBefore = [] } = {}) {
  const outbox = path.join(dataDir, 'outbox');
  const deadline = Date.now() + timeoutMs;
  let seen = [];
  for (;;) {
    let names = [];
    try {
      names = (await readdir(outbox)).filter((name) => name.endsWith('.eml') && !notBefore.includes(name)).sort();
    } catch {
      // no outbox yet
    }
    seen = [];
    for (const name of names.reverse()) {
      const mail = decodeMail(await readFile(path.join(outbox, name), 'utf8'));
      seen.push(`${name}: ${mail.subject}`);
      if (!mail.subject.includes(reference) && !mail.text.includes(reference)) continue;
      const code = /\bis\s+(\d{6})\b/.exec(mail.text)?.[1] ?? /\b(\d{6})\b/.exec(mail.text)?.[1];
      assert.ok(code, `the e-mail ${name} for ${reference} holds no 6-digit code:\n${mail.text}`);
      return { code, file: name, mail };
    }
    if (Date.now() > deadline) {
      assert.fail(`no e-mail with a code for ${reference} in ${outbox} within ${timeoutMs} ms; found: ${JSON.stringify(seen)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The .eml files in the outbox now. */
export async function outboxFiles(dataDir) {
  try {
    return (await readdir(path.join(dataDir, 'outbox'))).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
}

/**
 * The bearer token of the demo account with `role` (a server started with `--demo` writes
 * `<dataDir>/demo-accounts.txt`: lines of `username role password token`).
 */
export async function demoToken(dataDir, role = 'officer') {
  const file = path.join(dataDir, 'demo-accounts.txt');
  const text = await readFile(file, 'utf8');
  for (const line of text.split('\n')) {
    const [username, lineRole, , token] = line.trim().split(/\s+/);
    if (lineRole === role && username?.startsWith('demo.') && token && !token.startsWith('(')) return token;
  }
  throw new Error(`no ${role} token in ${file}:\n${text}`);
}

/** `POST /api/v1/reports/{reference}/updates` as the police; fails unless 204. */
export async function policeUpdate(origin, token, reference, update) {
  const response = await fetch(new URL(`/api/v1/reports/${encodeURIComponent(reference)}/updates`, origin), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(update),
  });
  const body = await response.text();
  assert.equal(response.status, 204, `POST updates ${JSON.stringify(update)} answered ${response.status}: ${body}`);
}
