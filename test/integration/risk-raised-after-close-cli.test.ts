/**
 * law28 item 2: the risk raised to high after closing, the AP notified (complete) before it. `assess
 * --after-close` asked the Art. 34 decision and not the follow-up to the AP the same raise makes owed
 * (Art. 33(3)(c), (4)); status did not list the incident for it, and `close --after-close
 * --follow-up-reason` refused, "no follow-up to the AP is owed". As in the open case now: assess
 * names the follow-up, status lists the closed incident with "follow-up owed", and the reason after
 * closing answers it.
 */
import { rmSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { type FgCase, openCase, succeeds } from '../support/fg-case.js';

let c: FgCase;
afterEach(() => rmSync(c.dir, { recursive: true, force: true }));

it('assess after closing names the follow-up owed, status lists it, and a reason after closing ends it', async () => {
  c = await openCase();
  const ok = succeeds(c);
  await ok(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'], '2025-11-28T09:00:00Z');
  const facts = ['--nature', 'confidentiality', '--categories', 'naam', '--special', 'none', '--subjects', '10-20', '--records', '15'];
  const more = ['--consequences', 'phishing', '--measures-taken', 'server geïsoleerd', '--complete', '--unknown-reason', 'onderzoek loopt'];
  await ok(['facts', c.id, ...facts, ...more, '--by', 'FG'], '2025-11-28T09:30:00Z');
  await ok(['reported', c.id, '--reference', 'M-1', '--by', 'FG'], '2025-11-28T10:00:00Z');
  await ok(['close', c.id, '--reason', 'afgehandeld', '--by', 'FG'], '2025-11-28T11:00:00Z');
  const said = await ok(
    ['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'wachtwoorden toch buitgemaakt', '--after-close', '--by', 'FG'],
    '2025-11-29T09:00:00Z',
  );
  expect(said).toContain(
    `High risk after the last report to the AP (M-1): a follow-up to the AP is owed (Art. 33(3)(c), (4)): record it with datalek reported ${c.id} --kind follow-up --reference M-1 --reason TEXT, or why none follows (datalek close ${c.id} --after-close --follow-up-reason TEXT)`,
  );
  const listed = (await c.json(['status'], '2025-11-29T10:00:00Z')) as { incidentId: string; state: string }[];
  expect(listed.map((i) => `${i.incidentId} ${i.state}`)).toEqual([`${c.id} closed`]);
  expect(await ok(['status'], '2025-11-29T10:00:00Z')).toMatch(/reported 2025-11-28 11:00 CET; follow-up owed/);

  await ok(['close', c.id, '--after-close', '--follow-up-reason', 'de AP vroeg telefonisch niets meer', '--by', 'FG'], '2025-11-29T11:00:00Z');
  expect(await ok(['status'], '2025-11-29T12:00:00Z')).not.toMatch(/follow-up owed/);
});
