// Without JavaScript (docs/portal.md: "Every journey works without JavaScript"): a driving
// offence reported with dashcam footage (an MP4 upload), an error on the way, and the report followed with the e-mailed code,
// with a message sent; axe runs on every page as it is without scripts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useBluelamp } from '../support/harness.mjs';
import { VIEWPORTS } from '../support/browser.mjs';
import {
  answerStep,
  answersFor,
  assertErrorState,
  assertStatus,
  assertStep,
  assertValueKept,
  checkPortalPage,
  completeJourney,
  mainText,
  navigation,
  outboxFiles,
  pathOf,
  pressContinue,
  readOneTimeCode,
  sendMessage,
  STEPS,
} from '../support/portal.mjs';

const bl = useBluelamp({ serverEnv: { BLUELAMP_PORTAL_RATE_LIMIT_PER_MINUTE: '1000' } });

test('without JavaScript: send dashcam footage of a driving offence, then follow it with the code and send a message', async () => {
  const { context, requests } = await bl.context({ ...VIEWPORTS.phone, javaScriptEnabled: false });
  const page = await context.newPage();
  const journey = 'road-traffic';
  const answers = answersFor(journey);
  const seen = [];
  let erred = false;

  const reference = await completeJourney(page, bl.origin, journey, {
    answers,
    onPage: async (label) => {
      seen.push(label);
      await checkPortalPage(page, `${label} without JavaScript`, { scroll: true });
      assert.doesNotMatch((await page.locator('body').getAttribute('class')) ?? '', /\bjs-enabled\b/, 'scripts ran');
      // On the where step, first send a bad postcode: the error page works without scripts.
      if (label === `${journey}/where` && !erred) {
        erred = true;
        await answerStep(page, { fill: { address_line_1: '12 High Street', address_postcode: 'NOT A POSTCODE' } });
        await pressContinue(page);
        assertStep(page, journey, 'where');
        await assertErrorState(page, 'road-traffic/where without JavaScript', { field: 'address_postcode', javaScript: false });
        await assertValueKept(page, 'address_postcode', 'NOT A POSTCODE', 'road-traffic/where without JavaScript');
        await page.locator('#address_postcode').fill('');
      }
    },
  });
  for (const step of STEPS[journey]) assert.ok(seen.includes(`${journey}/${step}`), `the ${step} page was not seen`);
  assert.ok(seen.includes(`${journey}/evidence with 1 file(s) added`), 'the footage was not uploaded');

  // Follow the report.
  await navigation(page, () => page.goto(bl.url('/track')));
  await checkPortalPage(page, '/track without JavaScript');
  const before = await outboxFiles(bl.server.dataDir);
  await page.locator('#reference').fill(reference);
  await pressContinue(page);
  assert.equal(pathOf(page), '/track/code');
  await checkPortalPage(page, '/track/code without JavaScript');
  const { code } = await readOneTimeCode(bl.server.dataDir, reference, { notBefore: before });
  await page.locator('#code').fill(code);
  await pressContinue(page);
  assert.equal(pathOf(page), '/track/report');
  await checkPortalPage(page, '/track/report without JavaScript');
  await assertStatus(page, 'Received');
  const timeline = () => mainText(page);
  assert.ok((await timeline()).includes(answers.evidence.files[0].name), 'the footage is not in the timeline');

  const message = 'The same car was there again this morning, same driver on the phone.';
  await sendMessage(page, message);
  assert.equal(pathOf(page), '/track/report');
  await checkPortalPage(page, '/track/report after a message without JavaScript');
  assert.ok((await timeline()).includes(message), 'the message is not in the timeline');

  requests.assertAllLocal('the journey without JavaScript');
});
