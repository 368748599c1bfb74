/**
 * fg27 item 3 (the phased notification walked by hand on events/08): while the AP holds only the first
 * phase of the notification (Art. 33(4)), `status` read "reported 2026-11-26 13:00 CET" in its TIME LEFT
 * column, as if the AP were done, though show, the register and the reminders said the follow-up was
 * owed, and later overdue. The row now says so beside the report.
 */
import { rmSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { type FgCase, openCase, succeeds } from '../support/fg-case.js';

let c: FgCase;
afterEach(() => rmSync(c.dir, { recursive: true, force: true }));

it('status names the follow-up owed beside the first phase reported, and not after the follow-up', async () => {
  c = await openCase();
  const ok = succeeds(c);
  await ok(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'], '2025-11-28T09:00:00Z');
  await ok(['reported', c.id, '--reference', 'M-1', '--by', 'FG'], '2025-11-28T10:00:00Z');
  const row = (await ok(['status'], '2025-11-28T11:00:00Z')).split('\n').find((l) => l.startsWith(c.id));
  expect(row).toMatch(/reported 2025-11-28 11:00 CET; follow-up owed /);
  const complete = ['facts', c.id, '--complete', '--unknown-reason', 'onderzoek loopt bij de leverancier', '--by', 'FG'];
  await ok(complete, '2025-11-28T11:30:00Z');
  await ok(['reported', c.id, '--reference', 'M-1', '--kind', 'follow-up', '--by', 'FG'], '2025-11-28T12:00:00Z');
  const after = (await ok(['status'], '2025-11-28T12:30:00Z')).split('\n').find((l) => l.startsWith(c.id));
  expect(after).not.toMatch(/follow-up/);
});
