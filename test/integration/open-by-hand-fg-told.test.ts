/**
 * Review 9 (fgsec10), S4: a breach opened by hand by someone other than the FG (`datalek open --by
 * Servicedesk`: "a lost laptop a colleague reports") tells the FG nothing. open-by-hand.ts commits
 * `messages: []` and marks the incident acknowledged by whoever opened it, so no page and no FG
 * message go out; the sweep's first word to the FG is the AP reminder 48 hours before the
 * deadline, i.e. 24 hours after awareness, a third of the 72 hours gone, and it is labelled
 * "[datalek laag] Herinnering AP-termijn: by-hand" (severity 0 reads Low; the code's finding type
 * `by-hand` in the Dutch subject). Art. 38(1): the FG is involved properly and in a timely manner
 * in all issues relating to personal data; Art. 33(1): without undue delay. Every finding the
 * pipeline opens tells the FG at once; a breach a person reports does not.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('S: a breach the service desk opens by hand', () => {
  it('tells the FG when it is opened, not a day later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg10-told-'));
    const store = join(dir, 'store');
    const cli = (args: string[], now: string) => runCli([...args, '--store', store, '--now', now]);
    const opened = await cli(
      [
        'open',
        '--what',
        'Laptop met klantgegevens verloren (melding servicedesk)',
        '--aware-at',
        '2026-11-28T09:00:00Z',
        '--by',
        'Servicedesk',
        '--json',
        '--new-store',
      ],
      '2026-11-28T09:05:00Z',
    );
    expect(opened.code).toBe(0);
    const id = JSON.parse(opened.stdout).incidentId as string;
    // The sweep runs every few minutes; by 23 hours after awareness the FG has heard nothing on main.
    for (const at of ['2026-11-28T09:10:00Z', '2026-11-28T15:00:00Z', '2026-11-29T08:00:00Z']) await cli(['sweep'], at);
    const messages = await cli(['messages', id], '2026-11-29T08:05:00Z');
    expect(messages.stdout).not.toMatch(/^No messages/);
    // One message, to the FG, sent by the sweep; it names who opened it, not a severity band or a code.
    const sent = JSON.parse((await cli(['messages', id, '--json'], '2026-11-29T08:05:00Z')).stdout) as {
      channel: string;
      kind: string;
      subject: string;
      sentAt: string;
    }[];
    expect(sent.filter((m) => m.kind !== 'ap-reminder').map((m) => ({ to: m.channel, kind: m.kind, sent: Boolean(m.sentAt) }))).toEqual([
      { to: 'fg', kind: 'opened', sent: true },
    ]);
    expect(sent[0].subject).toBe(`[datalek met de hand] Datalek met de hand vastgelegd door Servicedesk: met de hand geopend ${id}`);
  });
});
