/**
 * Review 9 (fgsec10), S2: `datalek open --finding FILE` documents a breach that came from a finding
 * the policy ignored (archived, or below the threshold), but records nothing under the finding's
 * key (open-by-hand.ts: `firstFinding` is `by-hand:<id>`, no finding record). When GuardDuty then
 * publishes the same finding id again un-archived (someone unarchives it; GuardDuty republishes
 * every 6 hours), record-finding.ts finds no known finding and OPENS A SECOND INCIDENT for the same
 * breach: a second AP clock (from the finding's creation, not the awareness the FG stated), a
 * page, containment, an FG message that says "possible breach" as if nobody knew, and two rows in
 * the Art. 33(5) register that do not name each other.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

describe('S2: a finding opened by hand, published again un-archived', () => {
  it('joins the incident the FG opened, never opens a second one for the same finding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg10-s1-'));
    const store = join(dir, 'store');
    const cli = (args: string[], now: string) => runCli([...args, '--store', store, '--now', now]);
    const archived = join(dir, 'archived.json');
    const again = join(dir, 'again.json');
    const base = { id: 'f-arch', instanceId: 'i-0aaa', createdAt: '2026-11-29T08:00:00Z' };
    writeFileSync(archived, JSON.stringify(findingEvent({ ...base, archived: true, updatedAt: '2026-11-29T08:00:00Z', count: 1 })));
    writeFileSync(again, JSON.stringify(findingEvent({ ...base, archived: false, updatedAt: '2026-11-29T14:00:00Z', count: 2 })));

    const first = await cli(['replay', archived, '--json'], '2026-11-29T09:00:00Z');
    expect(jsonLines(first.stdout)[0].outcome).toBe('ignored');
    const opened = await cli(
      [
        'open',
        '--what',
        'Gearchiveerde bevinding bleek een datalek',
        '--aware-at',
        '2026-11-29T10:00:00Z',
        '--finding',
        archived,
        '--by',
        'A. de Vries',
        '--json',
      ],
      '2026-11-29T10:30:00Z',
    );
    expect(opened.code).toBe(0);
    const byHand = JSON.parse(opened.stdout).incidentId as string;

    const second = jsonLines((await cli(['replay', again, '--json'], '2026-11-29T14:10:00Z')).stdout)[0];
    const register = JSON.parse((await cli(['register', '--format', 'json'], '2026-11-29T14:20:00Z')).stdout) as { incidentId: string }[];

    // On main: outcome "opened", a new incident with its own AP deadline 2026-12-02T08:00Z, paged,
    // and two register rows for one finding.
    expect(
      second.outcome === 'opened' && second.incidentId !== byHand ? `second incident ${second.incidentId} (deadline ${second.deadline})` : 'one incident',
    ).toBe('one incident');
    expect(register.map((r) => r.incidentId)).toEqual([byHand]);
    // It joined: the clock stays the awareness stated, the containment the policy calls for is
    // planned, and on-call hears of it as of a joining finding's; nobody is told of a new breach.
    expect(second).toMatchObject({ outcome: 'updated', incidentId: byHand, deadline: '2026-12-02T10:00:00.000Z' });
    expect((second.actions as unknown[]).length).toBeGreaterThan(0);
    // (The FG was told when it was opened by hand: the policy names no FG, so A. de Vries may not be one.)
    const messages = JSON.parse((await cli(['messages', byHand, '--json'], '2026-11-29T14:20:00Z')).stdout) as { channel: string; kind: string }[];
    expect(messages.map((m) => `${m.channel}:${m.kind}`)).toEqual(['fg:opened', 'on-call:finding-added']);
    expect(messages[0]).toMatchObject({ subject: expect.stringContaining('met de hand vastgelegd door A. de Vries') });

    // A later version GuardDuty still archives is recorded and acts on nothing, as the policy would.
    const archivedAgain = join(dir, 'archived-again.json');
    writeFileSync(archivedAgain, JSON.stringify(findingEvent({ ...base, archived: true, updatedAt: '2026-11-29T20:00:00Z', count: 3 })));
    const third = jsonLines((await cli(['replay', archivedAgain, '--json'], '2026-11-29T20:10:00Z')).stdout)[0];
    expect(third).toMatchObject({ outcome: 'updated', incidentId: byHand, actions: [], messages: [] });
  });
});
