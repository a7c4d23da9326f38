// A whole journey (anti-social behaviour) with the keyboard alone: Tab, Shift+Tab, the arrow
// keys, Space, Enter and typing into the focused field; never a click, never `fill`. After
// every key that moves focus, focus must be on a focusable element, inside the viewport, with
// a visible focus indicator.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useBluelamp } from '../support/harness.mjs';
import { VIEWPORTS } from '../support/browser.mjs';
import { answersFor, assertStep, navigation, pathOf, readReference } from '../support/portal.mjs';

const bl = useBluelamp({ serverEnv: { BLUELAMP_PORTAL_RATE_LIMIT_PER_MINUTE: '1000' } });

/**
 * Where focus is and whether it can be seen: on a focusable element (not the body), with a
 * box inside the viewport, and a focus indicator (an outline, a box shadow, or the GOV.UK
 * yellow background; for a radio or checkbox, on its label's `::before` box).
 */
async function focusState(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) {
      return { ok: false, why: 'focus is on the page itself, not on an element' };
    }
    const html = el.outerHTML.replace(/\s+/g, ' ').slice(0, 200);
    const focusable =
      el.matches('a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select, textarea, summary') ||
      (el.hasAttribute('tabindex') && el.tabIndex >= 0);
    if (!focusable) return { ok: false, why: 'the focused element is not a focusable control', html };
    const choice = el.matches('.govuk-radios__input, .govuk-checkboxes__input');
    const box = (choice ? el.labels?.[0] ?? el : el).getBoundingClientRect();
    if (box.width < 1 || box.height < 1) return { ok: false, why: `the focused element has no size (${box.width}x${box.height})`, html };
    const inView = box.bottom > 0 && box.right > 0 && box.top < window.innerHeight && box.left < window.innerWidth;
    if (!inView) return { ok: false, why: `the focused element is outside the viewport (${JSON.stringify(box)})`, html };
    const style = choice ? getComputedStyle(el.labels[0], '::before') : getComputedStyle(el);
    const transparent = (color) => color === 'transparent' || /rgba\(\d+, \d+, \d+, 0\)/.test(color);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 && !transparent(style.outlineColor);
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    const yellow = style.backgroundColor === 'rgb(255, 221, 0)';
    if (!(outline || shadow || yellow)) {
      return {
        ok: false,
        why: `no visible focus indicator (outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow ${style.boxShadow}; background ${style.backgroundColor})`,
        html,
      };
    }
    return { ok: true, html };
  });
}

async function assertFocusVisible(page, label) {
  const state = await focusState(page);
  assert.ok(state.ok, `on ${label} (${pathOf(page)}): ${state.why}\n  focused: ${state.html ?? '-'}`);
  return state;
}

/**
 * Presses Tab (or Shift+Tab) until focus is on an element matching `selector` (and with
 * exactly the words `text`, if given), checking focus is visible after every press.
 */
async function tabTo(page, selector, { text, back = false, max = 60, label = selector } = {}) {
  for (let presses = 0; presses < max; presses++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    await assertFocusVisible(page, `${label}, after ${presses + 1} ${back ? 'Shift+Tab' : 'Tab'}`);
    const found = await page.evaluate(
      ([sel, words]) => {
        const el = document.activeElement;
        if (!el?.matches(sel)) return false;
        return words === undefined || el.textContent.replace(/\s+/g, ' ').trim() === words;
      },
      [selector, text],
    );
    if (found) return;
  }
  assert.fail(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} on ${pathOf(page)} never reached ${selector}${text ? ` "${text}"` : ''}`);
}

/** Tabs to the field `id` and types `value` into it. */
async function typeInto(page, id, value) {
  await tabTo(page, `[id="${id}"]`);
  await page.keyboard.type(value);
}

/** Tabs into the radio group `name` and selects `value` with the arrow keys (or Space). */
async function chooseRadio(page, name, value) {
  await tabTo(page, `input[type="radio"][name="${name}"]`);
  for (let presses = 0; presses < 20; presses++) {
    const current = await page.evaluate(() => ({ value: document.activeElement.value, checked: document.activeElement.checked }));
    if (current.value === value) {
      if (!current.checked) await page.keyboard.press('Space');
      break;
    }
    await page.keyboard.press('ArrowDown');
    await assertFocusVisible(page, `the ${name} radios`);
  }
  assert.ok(await page.locator(`input[name="${name}"][value="${value}"]`).isChecked(), `could not select ${name}=${value} by keyboard`);
}

/** Tabs to the button with exactly `words` and presses Enter, waiting for the next page. */
async function pressButton(page, words) {
  await tabTo(page, 'button, input[type="submit"]', { text: words, label: `the "${words}" button` });
  await navigation(page, () => page.keyboard.press('Enter'));
}

test('anti-social behaviour from the start page to the reference, by keyboard alone', async () => {
  const { context, requests, consoleErrors } = await bl.context(VIEWPORTS.desktop);
  const page = await context.newPage();
  const journey = 'anti-social-behaviour';
  const answers = answersFor(journey);
  await page.goto(bl.url('/'));

  // The skip link comes first and is visible when focused.
  await tabTo(page, 'a', { max: 1, label: 'the skip link' });
  assert.match(await page.evaluate(() => document.activeElement.textContent.trim()), /^Skip to main content$/i);

  await tabTo(page, `a[href="/report/${journey}"]`);
  await navigation(page, () => page.keyboard.press('Enter'));
  assertStep(page, journey, 'type');
  const type = /value="([^"]+)"/.exec(answers.type.check[0])[1];
  await chooseRadio(page, 'report_type', type);
  await pressButton(page, 'Continue');

  assertStep(page, journey, 'when');
  for (const [id, value] of Object.entries(answers.when.fill)) await typeInto(page, id, value);
  await pressButton(page, 'Continue');

  assertStep(page, journey, 'where');
  for (const [id, value] of Object.entries(answers.where.fill)) await typeInto(page, id, value);
  await pressButton(page, 'Continue');

  // what: Continue with nothing typed; the error summary takes focus, its link takes focus to
  // the field, and the answer is typed there.
  assertStep(page, journey, 'what');
  await pressButton(page, 'Continue');
  assertStep(page, journey, 'what');
  assert.ok(
    await page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary')),
    'the error summary did not take focus',
  );
  await tabTo(page, '.govuk-error-summary a[href="#summary"]', { max: 3, label: 'the error summary link' });
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'summary', 'the error summary link did not focus the field');
  await assertFocusVisible(page, 'the field reached from the error summary');
  await page.keyboard.type(answers.what.fill.summary);
  await pressButton(page, 'Continue');

  assertStep(page, journey, 'suspect');
  await chooseRadio(page, 'suspect_known', 'no');
  await pressButton(page, 'Continue');

  // evidence: nothing to add. Shift+Tab from Continue goes back to the file input.
  assertStep(page, journey, 'evidence');
  await tabTo(page, 'button', { text: 'Continue' });
  await tabTo(page, 'input[type="file"]', { back: true, max: 3, label: 'the file input (Shift+Tab)' });
  await tabTo(page, 'button', { text: 'Continue', max: 3 });
  await navigation(page, () => page.keyboard.press('Enter'));

  assertStep(page, journey, 'you');
  for (const [id, value] of Object.entries(answers.you.fill)) await typeInto(page, id, value);
  await pressButton(page, 'Continue');

  // support: tick one box with Space.
  assertStep(page, journey, 'support');
  await tabTo(page, 'input[name="support"][value="interpreter"]');
  await page.keyboard.press('Space');
  assert.ok(await page.locator('input[name="support"][value="interpreter"]').isChecked(), 'Space did not tick the box');
  await typeInto(page, 'support_details', 'Polish');
  await pressButton(page, 'Continue');

  assertStep(page, journey, 'contact');
  await chooseRadio(page, 'contact_preference', 'email');
  await pressButton(page, 'Continue');

  assertStep(page, journey, 'check');
  await pressButton(page, 'Submit report');
  assertStep(page, journey, 'done');
  await readReference(page);

  requests.assertAllLocal('the keyboard journey');
  consoleErrors.assertNone('the keyboard journey', { allowStatus: [422] }); // the error page answers 422
});
