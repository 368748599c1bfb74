import { assess, closeIncident, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import { parseEvent } from '../../handlers/core/finding.js';
import { type ActionRecord, type Incident, newIncident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, recordEvent } from '../../handlers/core/record-finding.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { accessKeyResource, findingEvent } from './events.js';

/** An open High incident on an EC2 instance, detected 2026-11-27 21:00 UTC; tests override what matters. */
export function incidentFixture(over: Partial<Incident> & { id?: string } = {}): Incident {
  const id = over.id ?? 'dl-test';
  const base = newIncident({
    id,
    sample: false,
    accountId: '111122223333',
    region: 'eu-west-1',
    resource: { kind: 'ec2-instance', resourceType: 'Instance', id: `i-${id}` },
    resourceKey: `ec2-instance:111122223333:eu-west-1:i-${id}`,
    firstFinding: over.firstFinding ?? { accountId: '111122223333', region: 'eu-west-1', findingId: `f-${id}` },
    findingType: 'Backdoor:EC2/C&CActivity.B!DNS',
    severity: 8,
    detectedAt: '2026-11-27T21:00:00.000Z',
    awareAt: '2026-11-27T21:00:00.000Z',
    deadline: '2026-11-30T21:00:00.000Z',
    deadlineHours: 72,
    openedAt: '2026-11-27T21:01:00.000Z',
  });
  return { ...base, ...over };
}

/** Facts enough for the register (Art. 33(5)), so that closing is held up only by what a test is about. */
export const REGISTER_FACTS = {
  nature: ['confidentiality' as const],
  categories: ['naam'],
  specialCategories: [],
  subjectsMin: 10,
  subjectsMax: 20,
  records: 20,
  consequences: 'phishing',
  measuresTaken: 'wachtwoorden gereset',
};

/**
 * Stores, in the incident, the finding `findingId` on instance `instanceId` (a C&C finding): what a
 * containment run reads back to check the action an incident fixture plans.
 */
export async function storeInstanceFinding(store: IncidentStore, incidentId: string, findingId: string, instanceId: string): Promise<void> {
  const parsed = parseEvent(findingEvent({ id: findingId, instanceId }), { now: '2026-11-27T21:00:00.000Z' });
  if (parsed.kind !== 'finding') throw new Error('not a finding');
  const f = parsed.finding;
  const current = (await store.getIncident(incidentId)) as Incident;
  await store.commit({
    incident: { ...current, revision: current.revision + 1 },
    expectedRevision: current.revision,
    finding: {
      record: {
        key: f.key,
        version: f.version,
        incidentId,
        type: f.type,
        severity: f.severity,
        createdAt: f.createdAt,
        sample: false,
        archived: false,
        detail: f.detail,
      },
      expected: null,
    },
    timeline: [],
    messages: [],
  });
}

/**
 * A containment adapter that notes in `executed` which incident carried out what (`dl-x i-…`), each
 * as one step `isolate` at `at`: failed (AccessDenied) while `failing()` says so, else done.
 */
export function isolationAdapter(executed: string[], failing: () => boolean, at: string): Containment {
  return {
    canEnforce: true,
    execute: async (a, ctx) => {
      executed.push(`${ctx.incident.id} ${a.target}`);
      const fail = failing();
      await ctx.record({ name: 'isolate', status: fail ? 'failed' : 'done', at, detail: fail ? 'AccessDenied' : 'isolated' });
    },
    release: async () => {},
  };
}

/** A containment that carries steps out, as the AWS adapter does: it records each action it was asked for. */
export function carryingOut(): Containment & { executed: string[] } {
  const executed: string[] = [];
  return {
    canEnforce: true,
    executed,
    execute: async (action: ActionRecord) => {
      executed.push(action.id);
    },
    release: async () => {},
  };
}

/**
 * Records two findings that open two incidents, one on instance i-0123456789abcdef0 (detected 21:00)
 * and one on an access key (detected 19:30, so the earlier): `credentialSequenceEvent` names both.
 */
export async function instanceAndKeyIncidents(deps: RecordDeps): Promise<{ instance: string; key: string }> {
  const instance = (await recordEvent(deps, findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z' }))).incidentId as string;
  const key = (
    await recordEvent(
      deps,
      findingEvent({ id: 'f-k', type: 'CredentialAccess:IAMUser/AnomalousBehavior', createdAt: '2026-11-27T19:30:00.000Z', resource: accessKeyResource() }),
    )
  ).incidentId as string;
  return { instance, key };
}

/** An enforced isolation of `target` planned and not yet carried out, as an incident records it; tests override what matters. */
export function plannedIsolation(target: string, over: Partial<ActionRecord> = {}): ActionRecord {
  return {
    id: `isolate-instance:${target}`,
    type: 'isolate-instance',
    target,
    status: 'planned',
    mode: 'enforce',
    findingId: `f-${target}`,
    at: '2026-11-27T21:00:00.000Z',
    ...over,
  };
}

/** An isolation of `target` carried out (one interface isolated), as an incident records it; tests override what matters. */
export function doneIsolation(target: string, over: Partial<ActionRecord> = {}): ActionRecord {
  return plannedIsolation(target, { status: 'done', steps: [{ name: 'isolate-eni:eni-1', status: 'done', at: '2026-11-27T21:01:00.000Z' }], ...over });
}

/**
 * An isolation of `target` that cut eni-a and was refused on eni-b (UnauthorizedOperation) at `at`,
 * its run ended (no lease): the instance is reachable through eni-b. Groups sg-0isolation00001 and
 * sg-0alltraffic0001; both interfaces were in sg-0own000000001.
 */
export function partlyFailedIsolation(target: string, at: string): ActionRecord {
  return plannedIsolation(target, {
    status: 'failed',
    startedAt: at,
    reason: 'isolate-eni:eni-b failed: UnauthorizedOperation',
    steps: [
      { name: 'isolate-eni:eni-a', status: 'done', at },
      { name: 'isolate-eni:eni-b', status: 'failed', at, code: 'UnauthorizedOperation' },
    ],
    evidence: {
      groups: { allTraffic: 'sg-0alltraffic0001', isolation: 'sg-0isolation00001' },
      metadata: {
        instanceId: target,
        networkInterfaces: [
          { id: 'eni-a', groups: ['sg-0own000000001'] },
          { id: 'eni-b', groups: ['sg-0own000000001'] },
        ],
      },
    },
  });
}

/** A stored incident taken through the workflow and closed: assessed notifiable, its facts recorded, reported to the AP as M-1. */
export async function closedAfterReport(deps: FgDeps, incidentId: string): Promise<void> {
  await assess(deps, { incidentId, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  await recordFacts(deps, { incidentId, by: 'FG', ...REGISTER_FACTS });
  await recordReport(deps, { incidentId, reference: 'M-1', by: 'FG' });
  await closeIncident(deps, { incidentId, reason: 'gemeld', by: 'FG', followUpReason: 'de aanvulling ging per brief naar de AP' });
}

/**
 * `n` incidents, one per instance `instance(i)`, each with facts recorded (so an attack sequence
 * naming them links them, never merges them); detected a minute apart from 01:00 on 2026-11-28.
 */
export async function incidentsWithFacts(store: IncidentStore, n: number, instance: (i: number) => string, now: string): Promise<string[]> {
  const deps = { store, policy: DEFAULT_POLICY, now: () => now, canEnforce: false };
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const createdAt = `2026-11-28T01:${String(i).padStart(2, '0')}:00.000Z`;
    const r = await recordEvent(deps, findingEvent({ id: `f-${i}`, instanceId: instance(i), createdAt }));
    ids.push(r.incidentId as string);
    await recordFacts(deps, { incidentId: ids[i], by: 'FG', categories: ['contact details'], summary: `feiten ${i}` });
  }
  return ids;
}

/** An incident closed as merged into `into` (core/record-finding.ts mergeInto): what its page and `show` read. */
export function mergedIncidentFixture(id: string, into: string, closedAt = '2026-11-28T09:00:00.000Z'): Incident {
  return incidentFixture({ id, state: 'closed', closedAt, closeReason: `merged into ${into}: one breach, one AP clock`, mergedInto: into });
}
