/**
 * law28 (s28) item 3: the Art. 34 form's confirm step (a text recorded as sent that holds a
 * placeholder, law27 item 6) named its problem on the text field: the form's problem list linked to
 * the text, the error stood beside it, and the confirmation box, drawn above every field of the form,
 * was neither marked invalid nor tied to the error. A keyboard or screen-reader user who followed the
 * problem landed in the text, not on the box they had to tick, and the box was read before the text it
 * confirms. Now the problem links to the box, the box is invalid and described by the error, and it
 * stands after the text, just before the button (WCAG 1.3.2, 2.4.3, 3.3.1).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { CHROMIUM_AVAILABLE, inBrowser, seriousViolations } from '../support/browser.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const id = 'dl-web-confirm-focus';
const BOX = '#f-subjects-confirm-text';

describe.skipIf(!CHROMIUM_AVAILABLE)('the Art. 34 confirm step, by keyboard and screen reader', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const now = '2026-11-28T08:00:00.000Z';

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess({ store, policy, now: () => now }, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'wachtwoorden gelekt', by: 'FG' });
  });
  afterEach(async () => cleanup());

  it('sends the problem to the confirmation box, tied to its error, after the text and before the button', async () => {
    const web = inProcessWebApp({ store, policy, now: () => now });
    await inBrowser(web, `/incidents/${id}`, async (page) => {
      await page.selectOption('#f-subjects-decision', 'inform');
      await page.fill('#f-subjects-reason', 'Hoog risico op identiteitsfraude.');
      await page.fill('#f-subjects-date', '2026-11-28T08:30');
      await page.fill('#f-subjects-channel', 'brief');
      await page.fill('#f-subjects-text', 'Beste [naam], uw gegevens zijn gelekt.');
      await Promise.all([page.waitForNavigation(), page.click('form#subjects button[type=submit]')]);
      expect(await page.textContent('form#subjects')).toContain('Nog niet vastgelegd');

      // The form's problem list sends the reader to the box, and following it by keyboard focuses the box.
      const link = page.locator('#f-subjects-problem a').first();
      expect(await link.getAttribute('href')).toBe(BOX);
      await link.focus();
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(BOX.slice(1));

      // The box is announced as invalid, with the reason why; the text field is not marked as the problem.
      const box = page.locator(BOX);
      expect(await box.getAttribute('aria-invalid')).toBe('true');
      const describedBy = ((await box.getAttribute('aria-describedby')) ?? '').split(' ');
      const said = await Promise.all(describedBy.map((d) => page.textContent(`#${d}`)));
      expect(said.join(' ')).toContain('Nog niet vastgelegd');
      expect(await page.getAttribute('#f-subjects-text', 'aria-invalid')).toBeNull();

      // It confirms the text above it: the box follows the text, and the next key press reaches the button.
      const order = await page.evaluate(
        (box) =>
          (document.querySelector('#f-subjects-text') as Element).compareDocumentPosition(document.querySelector(box) as Element) &
          Node.DOCUMENT_POSITION_FOLLOWING,
        BOX,
      );
      expect(order).toBeTruthy();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Space');
      expect(await page.isChecked(BOX)).toBe(true);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.matches('form#subjects button[type=submit]'))).toBe(true);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      expect(await page.textContent('.flash')).toContain('vastgelegd');
    });
    expect(((await store.getIncident(id)) as Incident).subjects).toMatchObject({ decision: 'inform', text: 'Beste [naam], uw gegevens zijn gelekt.' });
  });
});
