/**
 * atk29 A8: the same finding key and version with other content was a silent "duplicate"; a resource role
 * missing, empty or lower case was read as "targeted" (no isolation of an instance that may be the actor).
 */
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../handlers/core/finding.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { recordingStore } from '../support/recording.js';

const NOW = '2026-11-28T03:00:00.000Z';

/** events/16's shape: SSH brute force, an INBOUND connection, with the resource role as given (or left out). */
function bruteForce(role: unknown) {
  const event = findingEvent({
    id: 'ssh',
    type: 'UnauthorizedAccess:EC2/SSHBruteForce',
    severity: 8,
    service: { action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'INBOUND', protocol: 'TCP' } } },
  });
  const service = event.detail.service as Record<string, unknown>;
  if (role === undefined) delete service.resourceRole;
  else service.resourceRole = role;
  return event;
}

const involvementOf = (role: unknown) => {
  const parsed = parseEvent(bruteForce(role), { now: NOW });
  if (parsed.kind !== 'finding') throw new Error('not a finding');
  return parsed.finding.involvement;
};

describe('minor readings of a finding (atk29 A8)', () => {
  const rec = recordingStore(NOW);

  it('names the fields in which a finding of the same version differs from the stored one, recording it once', async () => {
    const first = await recordEvent(rec.deps(), findingEvent({ id: 'same', severity: 8 }));
    const again = await recordEvent(rec.deps(), findingEvent({ id: 'same', severity: 9.5, type: 'Trojan:EC2/DNSDataExfiltration' }));
    expect(again).toMatchObject({ outcome: 'duplicate', incidentId: first.incidentId });
    expect(again.reason).toMatch(/differs from the stored finding in type, severity/);
    expect(await rec.store().getIncident(first.incidentId as string)).toMatchObject({ findings: 1, severity: 8 });
    // A true redelivery says nothing more.
    expect((await recordEvent(rec.deps(), findingEvent({ id: 'same', severity: 8 }))).reason).toBeUndefined();
  });

  it('reads the resource role case-insensitively', () => {
    expect(involvementOf('actor').role).toBe('acting');
    expect(involvementOf('Target').role).toBe('targeted');
  });

  it('reads an INBOUND connection without a resource role as acting, fail-safe, and says the role was not given', () => {
    for (const role of [undefined, '', '  ', null]) {
      const involvement = involvementOf(role);
      expect(involvement.role, String(role)).toBe('acting');
      expect(involvement.basis).toMatch(/resource role not given/);
    }
  });

  it('so a brute force with no role given plans the instance’s isolation, as ACTOR does', async () => {
    const result = await recordEvent(rec.deps(), bruteForce(''));
    expect(result.actions.map((a) => a.type)).toContain('isolate-instance');
  });
});
