/**
 * A later version of a finding that flips GuardDuty's sample flag is refused as inconsistent, by name, never
 * taken as a resource change (atk29 A11): a real finding's version flagged sample made the real incident
 * claim the sample key, and a genuine sample then joined the real incident unmarked. A finding does not turn
 * into a sample or back; a sample never joins a real incident.
 */
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../handlers/core/incident.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { recordingStore } from '../support/recording.js';

const NOW = '2026-11-28T03:00:00.000Z';
const LATER = { updatedAt: '2026-11-27T22:00:00.000Z', count: 3 };

describe('a version that flips the sample flag (atk29 A11)', () => {
  const rec = recordingStore(NOW);
  const deps = () => rec.deps();

  it('is refused, naming the flag, and the real incident claims nothing; a sample on its resource opens its own', async () => {
    const real = await recordEvent(deps(), findingEvent({ id: 'c2' }));
    const before = (await rec.store().getIncident(real.incidentId as string)) as Incident;
    const flipped = await recordEvent(deps(), findingEvent({ id: 'c2', sample: true, ...LATER }));
    expect(flipped).toMatchObject({ outcome: 'rejected', findingId: 'c2', incidentId: null }); // the CLI contract: null for rejected
    expect(flipped.reason).toContain(`stored on incident ${real.incidentId}`);
    expect(flipped.reason).toMatch(/sample/);
    const after = (await rec.store().getIncident(real.incidentId as string)) as Incident;
    expect(after.revision).toBe(before.revision);
    expect(after.resourceKeys).toBeUndefined();
    const sample = await recordEvent(deps(), findingEvent({ id: 'smp', type: 'Trojan:EC2/DNSDataExfiltration', sample: true }));
    expect(sample.outcome).toBe('opened');
    expect(sample.incidentId).not.toBe(real.incidentId);
    expect(await rec.store().getIncident(sample.incidentId as string)).toMatchObject({ sample: true });
    expect(verifyOk(await verifyStore(rec.store(), { now: NOW }))).toBe(true);
  });

  it('the other way too: a sample whose later version says it is real is refused', async () => {
    const sample = await recordEvent(deps(), findingEvent({ id: 'smp', sample: true }));
    const flipped = await recordEvent(deps(), findingEvent({ id: 'smp', ...LATER }));
    expect(flipped).toMatchObject({ outcome: 'rejected', incidentId: null });
    expect(flipped.reason).toContain(`stored on incident ${sample.incidentId}`);
    expect(await rec.store().getIncident(sample.incidentId as string)).toMatchObject({ sample: true, deadline: null });
  });
});
