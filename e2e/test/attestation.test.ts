import { expect, test } from 'vitest';
import { useSystem, waitFor } from '../src/system.js';

const system = useSystem('attestation');

function storedEvent(id: string) {
  return waitFor(() => system.db.models.Event.findOne({ eventId: id }).lean());
}

test('a page view drawn into the attestation cohort earns Privacy Pass tokens in Chromium and redeems one with its beacon', async () => {
  // The demo site puts half of its page views in the cohort: load pages until one is drawn.
  const page = await system.browser.context.newPage();
  const seen = { cohort: 0, outside: 0 };
  for (let i = 0; i < 16 && seen.cohort === 0; i++) {
    await page.goto(`${system.stack.urls.site}/products/widget`);
    const status = page.locator('#tagward-status[data-beacon-id]');
    await status.waitFor({ timeout: 20_000 });
    const event = await storedEvent((await status.getAttribute('data-beacon-id'))!);
    const attestation = (event.signals as { attestation: { status: string } }).attestation.status;
    if (event.attestationCohort) {
      seen.cohort++;
      expect(attestation).toBe('valid');
      // Tokens are kept per tab in sessionStorage, never in localStorage or cookies.
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      expect((await system.browser.context.cookies()).length).toBe(0);
    } else {
      seen.outside++;
      expect(attestation).toBe('absent');
    }
  }
  expect(seen.cohort).toBe(1);
  await page.close();
});
