/**
 * Review 9 (fgsec10), S6: an incident opened by hand (`datalek open`) puts English into the Dutch AP
 * draft, the Dutch register and the Dutch HTML report: the awareness reason is stored as the
 * English sentence "stated when the incident was opened by hand" (open-by-hand.ts `reason`) and
 * printed as is ("Bewust geworden (start 72 uur): ...; reden: stated when the incident was opened
 * by hand"), and the technical signal quotes replay's English reason ("die het beleid negeerde:
 * archived in GuardDuty: an archived finding opens no incident"). The FG copies the draft into the
 * AP's Dutch form (README "Dutch is Dutch": every code shown in the draft has a Dutch label).
 * `datalek messages` on such an incident also says it has none because it is "below the policy's
 * thresholds for the FG and on-call", which is not why (it was opened by hand, severity 8).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

describe('S: the Dutch draft of an incident opened by hand', () => {
  it('holds no English sentence of the code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg10-nl-'));
    const store = join(dir, 'store');
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } }));
    const cli = (args: string[], now: string) => runCli([...args, '--store', store, '--policy', policy, '--now', now]);
    const file = join(dir, 'archived.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'f-arch', archived: true, createdAt: '2026-11-29T08:00:00Z', updatedAt: '2026-11-29T08:00:00Z' })));
    expect((await cli(['replay', file], '2026-11-29T09:00:00Z')).code).toBe(0);
    const opened = await cli(
      ['open', '--what', 'Gearchiveerde bevinding bleek een datalek', '--aware-at', '2026-11-29T10:00:00Z', '--finding', file, '--by', 'A. de Vries', '--json'],
      '2026-11-29T10:30:00Z',
    );
    const id = JSON.parse(opened.stdout).incidentId as string;
    const draft = (await cli(['draft', id, '--lang', 'nl'], '2026-11-29T11:00:00Z')).stdout;
    const english = ['stated when the incident was opened by hand', 'archived in GuardDuty', 'an archived finding opens no incident'].filter((s) =>
      draft.includes(s),
    );
    expect(english).toEqual([]);
    expect(draft).toContain('reden: opgegeven bij het met de hand openen van het incident');
    expect(draft).toContain('die het beleid negeerde: gearchiveerd in GuardDuty');
    const register = (await cli(['register', '--format', 'md'], '2026-11-29T11:00:00Z')).stdout;
    expect(register).toContain('(opgegeven bij het met de hand openen van het incident)');
    expect(register).not.toContain('stated when');
    const messages = (await cli(['messages', id], '2026-11-29T11:00:00Z')).stdout;
    expect(messages).not.toMatch(/below the policy's thresholds/);
  });
});
