// The staff workspace in a browser: reading the demo accounts, signing in with the second
// factor (enrolling it from the page's key on a first sign-in), and the checks every staff
// page passes.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { assertNoAxeViolations, assertNoHorizontalScroll, onScriptedPage } from './browser.mjs';
import { navigation, pathOf } from './portal.mjs';

/** `{ username, password }` of the demo account of `role` (`<dataDir>/demo-accounts.txt`). */
export async function demoAccount(dataDir, role) {
  const file = path.join(dataDir, 'demo-accounts.txt');
  const text = await readFile(file, 'utf8');
  for (const line of text.split('\n')) {
    const [username, lineRole, password] = line.trim().split(/\s+/);
    if (lineRole === role && username?.startsWith('demo.') && password && password !== '-') {
      return { username, password };
    }
  }
  throw new Error(`no ${role} account with a first password in ${file}:\n${text}`);
}

/** RFC 4648 base 32 (spaces ignored) to bytes. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (const symbol of text.replace(/\s+/g, '')) {
    const value = alphabet.indexOf(symbol);
    if (value < 0) throw new Error(`not base 32: ${text}`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The RFC 6238 code of `secret` now (30-second steps, 6 digits, HMAC-SHA-1). */
export function totpNow(secret) {
  const step = Math.floor(Date.now() / 1000 / 30);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

/**
 * Every staff page: axe clean (WCAG 2.2 AA), one h1, a title, and no sideways scrolling
 * (checked at whatever size the page is shown).
 */
export async function checkStaffPage(page, label) {
  await onScriptedPage(page, async (shown) => {
    await assertNoAxeViolations(shown, { label });
    await assertNoHorizontalScroll(shown, label);
  });
  assert.ok((await page.title()).includes('Staff workspace'), `no staff title on ${label}`);
  assert.equal(await page.locator('h1').count(), 1, `not exactly one h1 on ${label}`);
}

/** Clicks the button named `name` (exactly) and waits for the next page. */
export async function press(page, name) {
  const button = page.getByRole('button', { name, exact: true });
  assert.equal(await button.count(), 1, `no single "${name}" button on ${page.url()}`);
  await navigation(page, () => button.click());
}

/**
 * Signs `account` in for the first time at `origin`: password, then the enrolment page (its
 * QR code and key), then a code computed from the key. Checks each page when `check`.
 * Returns the second factor's secret.
 */
export async function firstSignIn(page, origin, account, { check = true } = {}) {
  await navigation(page, () => page.goto(new URL('/staff/sign-in', origin).href));
  if (check) await checkStaffPage(page, '/staff/sign-in');
  await page.locator('#username').fill(account.username);
  await page.locator('#password').fill(account.password);
  await press(page, 'Continue');
  assert.equal(pathOf(page), '/staff/sign-in/enrol', `${account.username}: not asked to set up a second factor`);
  if (check) await checkStaffPage(page, '/staff/sign-in/enrol');
  await press(page, 'Show the QR code');
  assert.equal(await page.locator('#totp-qr svg[role="img"]').count(), 1, 'no QR code drawn');
  if (check) await checkStaffPage(page, '/staff/sign-in/enrol with the QR code');
  const secret = base32(await page.locator('#totp-secret').innerText());
  await page.locator('#code').fill(totpNow(secret));
  await press(page, 'Confirm and sign in');
  assert.ok(pathOf(page).startsWith('/staff'), `${account.username}: not signed in (${page.url()})`);
  assert.match(await page.locator('body').innerText(), /Signed in as/, `${account.username}: not signed in`);
  return secret;
}
