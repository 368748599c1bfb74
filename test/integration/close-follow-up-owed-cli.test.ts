/**
 * fg27 item 3 (events/08 walked by hand): with the facts marked complete and the follow-up not yet
 * sent, closing was refused with "mark the facts complete and record the follow-up (datalek facts ID
 * --complete, then …)": the FG was sent to a step already done. The refusal names only what is left.
 */
import { rmSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { type FgCase, openCase } from '../support/fg-case.js';

let c: FgCase;
afterEach(() => rmSync(c.dir, { recursive: true, force: true }));

it('close names the facts step only while the facts are incomplete', async () => {
  c = await openCase();
  const ok = async (args: string[], at: string) => expect((await c.cli(args, at)).code).toBe(0);
  const close = async (at: string) => {
    const r = await c.cli(['close', c.id, '--reason', 'klaar', '--by', 'FG'], at);
    expect(r.code).not.toBe(0);
    return r.stderr;
  };
  await ok(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'], '2025-11-28T09:00:00Z');
  await ok(['reported', c.id, '--reference', 'M-1', '--by', 'FG'], '2025-11-28T10:00:00Z');
  expect(await close('2025-11-28T10:30:00Z')).toContain(
    `mark the facts complete and record the follow-up (datalek facts ${c.id} --complete, then datalek reported`,
  );
  await ok(['facts', c.id, '--complete', '--unknown-reason', 'onderzoek loopt bij de leverancier', '--by', 'FG'], '2025-11-28T11:00:00Z');
  const refused = await close('2025-11-28T11:30:00Z');
  expect(refused).toContain(`record the follow-up (datalek reported ${c.id} --kind follow-up --reference M-1)`);
  expect(refused).not.toMatch(/mark the facts complete|--complete/);
});
