import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enteredAtNow } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

/**
 * review3 F4, then review5 F3: a finding created earlier, on the same instance, arriving after an
 * on-time report to the AP. Review 3 found the FG's message claiming reasons for a delay nobody
 * gave; review 5 that the report should not have turned late at all: nobody was aware of a finding
 * before it arrived (Art. 33(1)), so the awareness the FG reported on, and the deadline, stay.
 */
describe('an on-time AP report and a finding created earlier that arrives after it', () => {
  it('stays on time, and the FG is told of the earlier detection and that the awareness stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-late-'));
    const store = join(dir, 's');
    // Each command entered at the time it states (support/cli.ts enteredAtNow).
    const cli = (args: string[], now: string) => enteredAtNow([...args, '--store', store, '--now', now]);
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
    expect(messages).not.toContain('te laat gedaan');
    expect(messages).toContain('Eerdere detectie: een bevinding die pas nu binnenkwam, werd al op 2026-11-21 11:00 CET (2026-11-21T10:00:00Z) gedetecteerd');
    expect(messages).toContain('gedaan op 2026-11-26 11:00 CET (2026-11-26T10:00:00Z) (gehaald)');
  });
});
