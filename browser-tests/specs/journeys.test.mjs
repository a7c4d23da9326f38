// Every journey of the citizen portal, end to end in Chromium at phone size (docs/portal.md):
// crime with a photo, anti-social behaviour with a photo, a driving offence with dashcam
// footage (Operation Snap), and anonymous information with a PDF. axe runs on every page
// shown, including every error state; nothing is requested from another site.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useBluelamp } from '../support/harness.mjs';
import { VIEWPORTS } from '../support/browser.mjs';
import {
  REFERENCE_PATTERN,
  STEPS,
  answerStep,
  answersFor,
  assertErrorState,
  assertSomeErrorState,
  assertFileListed,
  assertStep,
  assertValueKept,
  checkPortalPage,
  completeJourney,
  jpegFile,
  navigation,
  pdfNamedJpeg,
  pathOf,
  pressContinue,
  readReference,
  removeButtons,
  uploadAndStay,
  ukDaysFromToday,
} from '../support/portal.mjs';

// Form posts are rate-limited per client address; every test here posts from 127.0.0.1.
const bl = useBluelamp({ serverEnv: { BLUELAMP_PORTAL_RATE_LIMIT_PER_MINUTE: '1000' } });

const QUICK_EXIT_DEFAULT = 'https://www.bbc.co.uk/weather';

/** A phone-sized page with every tracker on. */
async function phone() {
  const tracked = await bl.context(VIEWPORTS.phone);
  const page = await tracked.context.newPage();
  return { page, ...tracked };
}

/** What every page of a journey must pass. */
function pageChecks(page, seen) {
  return async (label) => {
    seen.push(label);
    await checkPortalPage(page, label, { scroll: true });
  };
}

describe('each journey, with evidence, end to end on a phone', () => {
  for (const journey of Object.keys(STEPS)) {
    test(`${journey}: every page is accessible and the report gets a reference`, async () => {
      const { page, requests, consoleErrors } = await phone();
      const seen = [];
      const check = pageChecks(page, seen);
      const onPage = async (label) => {
        await check(label);
        if (label.endsWith('/check')) {
          const shown = (await page.locator('main').textContent()).replace(/\s+/g, ' ');
          for (const file of answersFor(journey).evidence.files) {
            assert.ok(shown.includes(file.name), `Check your answers does not list the file ${file.name}`);
          }
        }
        if (journey === 'anti-social-behaviour' && label.endsWith('/check')) {
          await changeFromCheck(page, journey);
        }
      };
      const reference = await completeJourney(page, bl.origin, journey, { onPage });
      assert.match(reference, REFERENCE_PATTERN);

      const done = (await page.locator('main').textContent()).replace(/\s+/g, ' ');
      if (journey === 'information') {
        assert.match(done, /anonymous/i, 'the confirmation of anonymous information does not say it stays anonymous');
      } else {
        assert.ok(done.includes(reference), 'the confirmation does not repeat the reference in what happens next');
      }
      assert.match(done, /999/, 'the confirmation does not say to call 999 in danger');

      // Every step of the journey was seen and checked, and nothing left the server.
      for (const step of STEPS[journey]) {
        if (journey === 'information' && step === 'you') continue;
        assert.ok(seen.includes(`${journey}/${step}`), `the ${step} page was not checked`);
      }
      requests.assertAllLocal(journey);
      assert.deepEqual(requests.to(new URL(QUICK_EXIT_DEFAULT).origin), [], 'the quick-exit site was requested');
      consoleErrors.assertNone(journey);
    });
  }
});

/**
 * On "Check your answers": the answer to "What happened?" is shown; its Change link goes to
 * the step with `?return=check`, and Continue there comes straight back, with the new answer.
 */
async function changeFromCheck(page, journey) {
  const summary = answersFor(journey).what.fill.summary;
  const main = () => page.locator('main').textContent();
  assert.ok((await main()).includes(summary), 'Check your answers does not show what happened');
  const change = page.locator(`main a[href*="/report/${journey}/what"]`);
  assert.equal(await change.count(), 1, 'no single Change link to the "what" step');
  assert.match(await change.getAttribute('href'), /[?&]return=check\b/, 'the Change link lacks ?return=check');
  assert.match((await change.textContent()).replace(/\s+/g, ' '), /^Change\b/, 'the Change link does not say Change');
  await navigation(page, () => change.click());
  assertStep(page, journey, 'what');
  await assertValueKept(page, 'summary', summary, 'the what step reached from Change');
  await checkPortalPage(page, `${journey}/what?return=check`);
  const changed = `${summary} It happens every Friday and Saturday.`;
  await page.locator('#summary').fill(changed);
  await pressContinue(page);
  assertStep(page, journey, 'check');
  assert.ok((await main()).includes(changed), 'Check your answers does not show the changed answer');
}

describe('error states', () => {
  test('crime: type, when, where, evidence and you show errors accessibly and keep what was typed', async () => {
    const { page, requests, consoleErrors } = await phone();
    const answers = answersFor('crime');
    await navigation(page, () => page.goto(bl.url('/report/crime')));

    // type: nothing chosen.
    assertStep(page, 'crime', 'type');
    await pressContinue(page);
    assertStep(page, 'crime', 'type');
    await assertErrorState(page, 'crime/type with nothing chosen', { field: 'report_type', message: /select/i });
    await answerStep(page, answers.type);
    await pressContinue(page);

    // when: a date in the future.
    assertStep(page, 'crime', 'when');
    const future = ukDaysFromToday(400);
    await answerStep(page, { fill: { 'when-day': future.day, 'when-month': future.month, 'when-year': future.year, when_time: '09:05' } });
    await pressContinue(page);
    assertStep(page, 'crime', 'when');
    await assertErrorState(page, 'crime/when with a future date', { field: 'when', target: 'when-day', message: /future|today|past/i });
    await assertValueKept(page, 'when-day', future.day, 'crime/when');
    await assertValueKept(page, 'when-month', future.month, 'crime/when');
    await assertValueKept(page, 'when-year', future.year, 'crime/when');
    await assertValueKept(page, 'when_time', '09:05', 'crime/when');
    await assertDescribedBy(page, 'when', 'when-error', 'crime/when');
    await answerStep(page, answers.when);
    await pressContinue(page);

    // where: a postcode that is not one.
    assertStep(page, 'crime', 'where');
    await answerStep(page, { fill: { address_line_1: '12 High Street', address_postcode: 'NOT A POSTCODE' } });
    await pressContinue(page);
    assertStep(page, 'crime', 'where');
    await assertErrorState(page, 'crime/where with a bad postcode', { field: 'address_postcode', message: /postcode/i });
    await assertValueKept(page, 'address_postcode', 'NOT A POSTCODE', 'crime/where');
    await assertValueKept(page, 'address_line_1', '12 High Street', 'crime/where');
    await assertDescribedBy(page, 'address_postcode', 'address_postcode-error', 'crime/where');
    // The summary's link takes focus to the field at fault.
    await page.locator('.govuk-error-summary a[href="#address_postcode"]').click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'address_postcode', 'the error summary link did not focus the postcode');
    await page.locator('#address_postcode').fill('');
    await answerStep(page, answers.where);
    await pressContinue(page);

    assertStep(page, 'crime', 'what');
    await answerStep(page, answers.what);
    await pressContinue(page);
    assertStep(page, 'crime', 'suspect');
    await answerStep(page, answers.suspect);
    await pressContinue(page);
    assertStep(page, 'crime', 'property');
    await pressContinue(page);

    // evidence: a photo, then a "photo" that is really a PDF.
    assertStep(page, 'crime', 'evidence');
    await page.locator('#file').setInputFiles(jpegFile('bike-rack.jpg'));
    await uploadAndStay(page);
    await assertFileListed(page, 'bike-rack.jpg');
    await page.locator('#file').setInputFiles(pdfNamedJpeg('holiday.jpg'));
    await uploadAndStay(page);
    assertStep(page, 'crime', 'evidence');
    await assertErrorState(page, 'crime/evidence with a PDF named .jpg', { field: 'file', message: /holiday\.jpg.*PDF/i });
    await assertFileListed(page, 'bike-rack.jpg'); // the good file is kept
    const listed = await page.locator('.govuk-summary-list__key').allTextContents();
    assert.ok(!listed.some((name) => name.includes('holiday.jpg')), 'the refused file is listed as added');
    // Removing a file works too.
    assert.equal(await removeButtons(page).count(), 1, 'no single button to remove the file added');
    assert.match((await removeButtons(page).textContent()).replace(/\s+/g, ' '), /Remove.*bike-rack\.jpg/, 'the Remove button does not name its file');
    await navigation(page, () => removeButtons(page).click());
    assertStep(page, 'crime', 'evidence');
    assert.equal(await removeButtons(page).count(), 0, 'the removed file is still listed');
    await pressContinue(page);

    assertStep(page, 'crime', 'victim');
    await answerStep(page, answers.victim);
    await pressContinue(page);
    assertStep(page, 'crime', 'witness');
    await answerStep(page, answers.witness);
    await pressContinue(page);

    // you: an e-mail address that is not one.
    assertStep(page, 'crime', 'you');
    await answerStep(page, { fill: { full_name: 'Alex Example', email: 'alex.example.com' } });
    await pressContinue(page);
    assertStep(page, 'crime', 'you');
    await assertErrorState(page, 'crime/you with a bad e-mail address', { field: 'email' });
    await assertValueKept(page, 'email', 'alex.example.com', 'crime/you');
    await assertValueKept(page, 'full_name', 'Alex Example', 'crime/you');
    await assertDescribedBy(page, 'email', 'email-error', 'crime/you');

    // you: neither an e-mail address nor a phone number.
    await page.locator('#email').fill('');
    await pressContinue(page);
    assertStep(page, 'crime', 'you');
    await assertErrorState(page, 'crime/you with no way to contact', { field: 'email', message: /e-?mail|phone/i });
    await answerStep(page, answers.you);
    await pressContinue(page);
    assertStep(page, 'crime', 'support');

    requests.assertAllLocal('the crime error states');
    consoleErrors.assertNone('the crime error states', { allowStatus: [422] }); // error pages answer 422
  });

  for (const journey of ['crime', 'information']) {
    test(`${journey}: every question left unanswered shows an accessible error state, or moves on if optional`, async () => {
      const { page, requests, consoleErrors } = await phone();
      const answers = answersFor(journey);
      const erred = [];
      await navigation(page, () => page.goto(bl.url(`/report/${journey}`)));
      for (const step of STEPS[journey]) {
        if (journey === 'information' && step === 'you') continue; // anonymous: skipped
        assertStep(page, journey, step);
        if (step === 'evidence') {
          await pressContinue(page); // no files: optional outside road traffic
          continue;
        }
        await pressContinue(page);
        if (pathOf(page) === `/report/${journey}/${step}`) {
          await assertSomeErrorState(page, `${journey}/${step} left empty`);
          erred.push(step);
          await answerStep(page, answers[step]);
          await pressContinue(page);
        }
      }
      assertStep(page, journey, 'check');
      // What docs/portal.md says is required (the rest may or may not be).
      const required = journey === 'crime' ? ['type', 'when', 'where', 'what', 'you'] : ['anonymous', 'what'];
      for (const step of required) assert.ok(erred.includes(step), `${journey}/${step} accepted no answer`);
      requests.assertAllLocal(`${journey} left empty`);
      consoleErrors.assertNone(`${journey} left empty`, { allowStatus: [422] });
    });
  }

  test('road traffic: the rules must be confirmed, the incident recent, the registration real and the footage a video', async () => {
    const { page, requests, consoleErrors } = await phone();
    const answers = answersFor('road-traffic');
    await navigation(page, () => page.goto(bl.url('/report/road-traffic')));

    assertStep(page, 'road-traffic', 'rules');
    await page.locator('input[name="confirm"][value="age"]').check();
    await pressContinue(page);
    assertStep(page, 'road-traffic', 'rules');
    await assertErrorState(page, 'road-traffic/rules with one box ticked', { field: 'confirm', message: /confirm/i });
    assert.ok(await page.locator('input[name="confirm"][value="age"]').isChecked(), 'the ticked box was lost');
    await answerStep(page, answers.rules);
    await pressContinue(page);

    for (const step of ['type', 'when', 'where', 'vehicle']) {
      assertStep(page, 'road-traffic', step);
      if (step === 'when') {
        // Footage must be sent within 7 days (Operation Snap's rule).
        const old = ukDaysFromToday(-10);
        await answerStep(page, { fill: { 'when-day': old.day, 'when-month': old.month, 'when-year': old.year } });
        await pressContinue(page);
        assertStep(page, 'road-traffic', 'when');
        await assertErrorState(page, 'road-traffic/when 10 days ago', { field: 'when', target: 'when-day', message: /7 days|101/ });
        await assertValueKept(page, 'when-day', old.day, 'road-traffic/when');
      }
      if (step === 'vehicle') {
        await page.locator('#vrm').fill('NOT A PLATE 123');
        await pressContinue(page);
        assertStep(page, 'road-traffic', 'vehicle');
        await assertErrorState(page, 'road-traffic/vehicle with a bad registration', { field: 'vrm', message: /registration/i });
        await assertValueKept(page, 'vrm', 'NOT A PLATE 123', 'road-traffic/vehicle');
      }
      await answerStep(page, answers[step]);
      await pressContinue(page);
    }
    assertStep(page, 'road-traffic', 'what');
    await answerStep(page, answers.what);
    await pressContinue(page);

    assertStep(page, 'road-traffic', 'evidence');
    await pressContinue(page);
    assertStep(page, 'road-traffic', 'evidence');
    await assertErrorState(page, 'road-traffic/evidence with no footage', { field: 'file', message: /video/i });
    await page.locator('#file').setInputFiles(jpegFile('junction.jpg'));
    await pressContinue(page);
    assertStep(page, 'road-traffic', 'evidence');
    await assertErrorState(page, 'road-traffic/evidence with only a photo', { field: 'file', message: /video/i });
    await assertFileListed(page, 'junction.jpg');
    await answerStep(page, answers.evidence);
    await pressContinue(page);
    assertStep(page, 'road-traffic', 'you');

    // you: a date of birth is required for footage.
    await answerStep(page, { fill: { full_name: 'Jo Example', email: 'jo@example.com' } });
    await pressContinue(page);
    assertStep(page, 'road-traffic', 'you');
    await assertErrorState(page, 'road-traffic/you without a date of birth', { field: 'dob', target: 'dob-day', message: /date of birth/i });
    await assertValueKept(page, 'email', 'jo@example.com', 'road-traffic/you');
    await answerStep(page, answers.you);
    await pressContinue(page);
    assertStep(page, 'road-traffic', 'check');

    requests.assertAllLocal('the road traffic error states');
    consoleErrors.assertNone('the road traffic error states', { allowStatus: [422] });
  });
});

test('information given by name asks for your details, and they are on Check your answers', async () => {
  const { page, requests } = await phone();
  const answers = {
    ...answersFor('information'),
    anonymous: { check: ['input[name="anonymous"][value="no"]'] },
    evidence: { files: [] },
    you: { fill: { full_name: 'Kim Example', phone: '07700 900456' } },
  };
  const seen = [];
  const reference = await completeJourney(page, bl.origin, 'information', {
    answers,
    onPage: async (label) => {
      seen.push(label);
      if (label === 'information/you') await checkPortalPage(page, label);
      if (label === 'information/check') {
        const shown = (await page.locator('main').textContent()).replace(/\s+/g, ' ');
        assert.ok(shown.includes('Kim Example'), 'Check your answers does not show the name');
        assert.ok(shown.includes('07700 900456'), 'Check your answers does not show the phone number');
      }
    },
  });
  assert.ok(seen.includes('information/you'), 'the you step was skipped for named information');
  assert.match(reference, REFERENCE_PATTERN);
  requests.assertAllLocal('named information');
});

test('sending a report twice (a double click, then Back and Submit again) makes one report', async () => {
  const { page } = await phone();
  const journey = 'information';
  let first = null;
  await completeJourney(page, bl.origin, journey, {
    onPage: async (label) => {
      if (label !== `${journey}/check`) return;
      // A double click on "Submit report" sends the form twice.
      await navigation(page, () => page.getByRole('button', { name: 'Submit report', exact: true }).dblclick());
      assertStep(page, journey, 'done');
      first = await readReference(page);
      // Back to "Check your answers" (or wherever Back now leads) and submit again if offered.
      await page.goBack({ waitUntil: 'load' });
      await navigation(page, () => page.goto(bl.url(`/report/${journey}/check`)));
      if (pathOf(page) !== `/report/${journey}/check`) await navigation(page, () => page.goto(bl.url(`/report/${journey}/check`)));
    },
  }).then(
    (second) => assert.equal(second, first, 'a second submission of the same answers made another report'),
    async (error) => {
      // "Check your answers" may no longer offer "Submit report" once sent: then it must lead
      // to the same confirmation.
      if (!/Submit report/.test(String(error?.message))) throw error;
      await navigation(page, () => page.goto(bl.url(`/report/${journey}/done`)));
      assert.equal(await readReference(page), first, 'the confirmation changed its reference');
    },
  );
  assert.match(first ?? '', REFERENCE_PATTERN);
});

/** Fails unless the field (or its date fieldset) names its error in aria-describedby. */
async function assertDescribedBy(page, id, errorId, label) {
  const describedBy = await page.locator(`[id="${id}"]`).evaluate((el) => {
    const owner = el.matches('input, textarea, select') ? el : el.closest('fieldset') ?? el;
    return owner.getAttribute('aria-describedby') ?? '';
  });
  assert.ok(describedBy.split(/\s+/).includes(errorId), `#${id} is not described by #${errorId} on ${label} (aria-describedby="${describedBy}")`);
}
