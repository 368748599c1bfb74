import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

/**
 * review3 F4: a report to the AP made on time turns late when a finding created earlier, on the
 * same instance, arrives after it (the deadline moves earlier). The FG's message said "te laat
 * gedaan; reden van de vertraging vastgelegd" though no reason was recorded: it must ask for them.
 */
describe('an on-time AP report that a finding created earlier makes late', () => {
  it('tells the FG the deadline it missed and that the reasons for the delay are still to be given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-late-'));
    const store = join(dir, 's');
    const cli = (args: string[], now: string) => runCli([...args, '--store', store, '--now', now]);
    const file = (name: string, event: unknown) => {
      writeFileSync(join(dir, name), JSON.stringify(event));
      return join(dir, name);
    };
    const a = file('a.json', findingEvent({ id: 'late-a', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-late', createdAt: '2026-11-25T10:00:00.000Z' }));
    const b = file(
      'b.json',
      findingEvent({ id: 'late-b', type: 'Trojan:EC2/DNSDataExfiltration', instanceId: 'i-late', createdAt: '2026-11-21T10:00:00.000Z' }),
    );
    const opened = await cli(['replay', a, '--json'], '2026-11-25T10:05:00Z');
    const id = JSON.parse(opened.stdout).incidentId as string;
    expect((await cli(['assess', id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantdata', '--by', 'fg'], '2026-11-26T10:00:00Z')).code).toBe(0);
    expect((await cli(['reported', id, '--reference', 'LATE-1', '--by', 'fg'], '2026-11-26T10:00:00Z')).code).toBe(0);
    expect((await cli(['replay', b], '2026-11-26T11:00:00Z')).code).toBe(0);

    const messages = (await cli(['messages', id], '2026-11-26T11:05:00Z')).stdout;
    expect(messages).not.toContain('reden van de vertraging vastgelegd');
    expect(messages).toContain(
      'te laat gedaan: de termijn liep af op 2026-11-24 11:00 CET (2026-11-24T10:00:00Z); de reden van de vertraging is nog niet vastgelegd: geef die met een vervolgmelding aan de AP (art. 33(1))',
    );

    // The reasons can follow with a follow-up report under the same reference.
    const given = await cli(
      ['reported', id, '--kind', 'follow-up', '--reference', 'LATE-1', '--delay-reason', 'bevinding later ontvangen', '--by', 'fg'],
      '2026-11-26T12:00:00Z',
    );
    expect(given.code, given.stderr).toBe(0);
  });
});
