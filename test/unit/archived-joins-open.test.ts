/**
 * An archived finding on a resource whose incident is open joins that incident, marked archived (atk29 A5):
 * archiving is someone's act in GuardDuty (triage, or an intruder hiding new activity), not a decision the FG
 * recorded. It was dropped ("an archived finding opens no incident"): not attached, not on the timeline,
 * nobody told, the assessment's --seen still good. On no open incident it still opens nothing, and says so.
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { recordingStore } from '../support/recording.js';

const NOW = '2026-11-28T03:00:00.000Z';

const archivedExfil = (o: { severity?: number; instanceId?: string } = {}) =>
  findingEvent({
    id: 'archived-exfil',
    type: 'Trojan:EC2/DNSDataExfiltration',
    severity: o.severity ?? 8,
    archived: true,
    createdAt: '2026-11-27T22:40:00.000Z',
    instanceId: o.instanceId,
  });

describe('an archived finding on a resource with an open incident (atk29 A5)', () => {
  const rec = recordingStore(NOW);
  const deps = () => rec.deps();

  it('joins it, marked archived on the timeline and in the FG message, once through redelivery', async () => {
    const first = await recordEvent(deps(), findingEvent({ id: 'c2' }));
    const archived = await recordEvent(deps(), archivedExfil());
    expect(archived).toMatchObject({ outcome: 'attached', incidentId: first.incidentId });
    const incident = (await rec.store().getIncident(first.incidentId as string)) as Incident;
    expect(incident.findingTypes).toContain('Trojan:EC2/DNSDataExfiltration');
    const attached = (await rec.store().getTimeline(incident.id)).find((e) => e.kind === 'finding-attached');
    expect(attached?.detail).toMatchObject({ findingId: 'archived-exfil', archived: expect.stringContaining('datalek did not decide') });
    const told = (await rec.store().listMessages(incident.id)).filter((m) => m.channel === 'fg' && m.kind === 'finding-added');
    expect(told).toHaveLength(1);
    expect(told[0].body).toMatch(/in GuardDuty gearchiveerd|archived in GuardDuty/);
    expect(await recordEvent(deps(), archivedExfil())).toMatchObject({ outcome: 'duplicate' });
    expect(verifyOk(await verifyStore(rec.store(), { now: NOW }))).toBe(true);
  });

  it('asks the FG who assessed the incident to assess again', async () => {
    const first = await recordEvent(deps(), findingEvent({ id: 'c2' }));
    await assess(
      { store: rec.store(), policy: DEFAULT_POLICY, now: () => NOW },
      { incidentId: first.incidentId as string, personalData: 'no', risk: 'none', reason: 'a miner, no data read', by: 'FG' },
    );
    await recordEvent(deps(), archivedExfil());
    expect(((await rec.store().getIncident(first.incidentId as string)) as Incident).reviewAsked).toMatchObject({ findingId: 'archived-exfil' });
  });

  it('opens nothing on a resource no incident is open on, and says that none is', async () => {
    const result = await recordEvent(deps(), archivedExfil());
    expect(result.outcome).toBe('ignored');
    expect(result.reason).toMatch(/archived in GuardDuty.*no incident is open on the resources it names/);
    expect(await rec.store().listIncidents()).toEqual([]);
  });

  it('below the threshold it joins nothing, archived or not', async () => {
    const first = await recordEvent(deps(), findingEvent({ id: 'c2' }));
    const low = await recordEvent(deps(), archivedExfil({ severity: 2 }));
    expect(low.outcome).toBe('ignored');
    expect(low.reason).toContain(`incident ${first.incidentId} is open on this resource, but a finding below the threshold joins none`);
  });
});
