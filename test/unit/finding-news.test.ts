/**
 * A new finding on an open incident reaches the FG (and on-call when it changes their work), once
 * per new finding type, and asks the FG to review an assessment made before it (review item 1).
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, closeBlockerItems, closeIncident } from '../../handlers/core/fg-workflow.js';
import { findingTypesSeen, type Incident, type OutboxMessage, typeNotListedHash } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, recordEvent } from '../../handlers/core/record-finding.js';
import { registerRow } from '../../handlers/core/register.js';
import { sweep } from '../../handlers/core/sweep.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { ACCOUNT, credentialSequenceEvent, findingEvent, REGION, sequenceDetection, sequenceGrowingToBucket } from '../support/events.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const C2 = 'Backdoor:EC2/C&CActivity.B!DNS';
const EXFIL = 'Trojan:EC2/DNSDataExfiltration';

describe('a new finding on an open incident', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let now: string;
  let deps: () => RecordDeps;
  const fg = () => ({ store, policy: DEFAULT_POLICY, now: () => now });

  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
    now = '2026-11-28T00:05:00.000Z';
    deps = () => ({ store, policy: DEFAULT_POLICY, now: () => now, canEnforce: false });
  });
  afterEach(async () => cleanup());

  const kinds = async (id: string) => (await store.listMessages(id)).map((m: OutboxMessage) => `${m.channel}:${m.kind}`);
  const message = async (id: string, kind: string, channel = 'fg') =>
    (await store.listMessages(id)).find((m) => m.kind === kind && m.channel === channel) as OutboxMessage;

  /** The reviewer's case: a C&C incident assessed "no personal data", then exfiltration on the same instance. */
  async function assessedThenExfiltration() {
    const first = await recordEvent(deps(), findingEvent({ id: 'm-1', type: C2, createdAt: '2026-11-28T00:00:00.000Z' }));
    const id = first.incidentId as string;
    now = '2026-11-28T01:00:00.000Z';
    await assess(fg(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'miner, geen data', by: 'FG' });
    now = '2026-11-28T10:05:00.000Z';
    const second = await recordEvent(deps(), findingEvent({ id: 'x-1', type: EXFIL, createdAt: '2026-11-28T10:00:00.000Z' }));
    return { id, second };
  }

  it('tells the FG of a finding of a new type and asks to review an assessment made before it', async () => {
    const { id, second } = await assessedThenExfiltration();
    expect(second).toMatchObject({ outcome: 'attached', incidentId: id });
    expect(await kinds(id)).toEqual(['fg:opened', 'on-call:opened', 'fg:finding-added']);
    const m = await message(id, 'finding-added');
    expect(m.subject).toContain(EXFIL);
    expect(m.body).toContain(`${EXFIL} (x-1`);
    // The FG reads that the assessment predates the finding, and what it said.
    expect(m.body).toMatch(/beoordeling van .* door FG: .*niet meldplichtig.*van vóór deze bevinding/s);
    expect(m.body).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
  });

  it('records that the finding came after the assessment, and names every finding type', async () => {
    const { id } = await assessedThenExfiltration();
    const incident = await store.getIncident(id);
    expect(incident?.findingTypes).toEqual([C2, EXFIL]);
    expect(incident?.reviewAsked).toMatchObject({ findingId: 'x-1', findingType: EXFIL, assessedAt: '2026-11-28T01:00:00.000Z', at: now });
    const timeline = await store.getTimeline(id);
    const assessed = timeline.findIndex((e) => e.kind === 'assessed' || e.kind === 'assessment');
    const asked = timeline.findIndex((e) => e.kind === 'assessment-review-asked');
    expect(assessed).toBeGreaterThanOrEqual(0);
    expect(asked).toBeGreaterThan(assessed);
    expect(timeline[asked].detail).toMatchObject({
      findingId: 'x-1',
      findingType: EXFIL,
      assessedAt: '2026-11-28T01:00:00.000Z',
      assessedBy: 'FG',
      notifiable: false,
    });
    expect(verifyOk(await verifyStore(store, { now }))).toBe(true);
    // The register says it too, for the AP (Art. 33(5)).
    expect(registerRow(incident as Incident, DEFAULT_POLICY, now)).toMatchObject({
      findingTypes: `${C2}, ${EXFIL}`,
      reviewAsked: `${EXFIL} (x-1) at ${now}, after the assessment of 2026-11-28T01:00:00.000Z: not yet assessed again`,
    });
  });

  it('reminds the FG with every sweep round until a new assessment is recorded, then stops', async () => {
    const { id } = await assessedThenExfiltration();
    const sent = async (at: string) => {
      now = at;
      // The FG's reminders: on-call's pages go on apart, nobody having acknowledged (review12 K6).
      return (await sweep(fg())).sent.filter((s) => s.incidentId === id && s.kind !== 'page').map((s) => s.kind);
    };
    // Asked at 10:05; reminded every 12 hours (the policy's overdue rhythm), each reminder once.
    expect(await sent('2026-11-28T12:00:00.000Z')).toEqual([]);
    expect(await sent('2026-11-28T22:10:00.000Z')).toEqual(['review-reminder']);
    expect(await sent('2026-11-28T22:20:00.000Z')).toEqual([]);
    expect(await sent('2026-11-29T10:10:00.000Z')).toEqual(['review-reminder']);
    const reminder = await message(id, 'review-reminder');
    expect(reminder.body).toContain(EXFIL);
    now = '2026-11-29T11:00:00.000Z';
    await assess(fg(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'exfiltratie van klantgegevens', by: 'FG' });
    expect(await sent('2026-11-29T22:10:00.000Z')).not.toContain('review-reminder');
    expect(await sent('2026-11-30T10:10:00.000Z')).not.toContain('review-reminder');
    expect((await store.getIncident(id))?.nextDueAt).not.toBeNull(); // the AP clock runs again
  });

  it('cannot be closed while the review it asks for is pending: closing names the command, and a new assessment lets it close', async () => {
    const { id } = await assessedThenExfiltration();
    now = '2026-11-28T10:06:00.000Z';
    const blockers = closeBlockerItems((await store.getIncident(id)) as Incident, DEFAULT_POLICY, now);
    expect(blockers).toEqual([
      expect.objectContaining({ field: 'assess', cli: expect.stringMatching(/new type \(Trojan:EC2\/DNSDataExfiltration, x-1\).*: datalek assess$/) }),
    ]);
    await expect(closeIncident(fg(), { incidentId: id, reason: 'klaar', by: 'FG' })).rejects.toThrow(
      /cannot be closed yet: .*assessment of 2026-11-28 02:00 CET \(2026-11-28T01:00:00.000Z\).*datalek assess/,
    );
    expect((await store.getIncident(id))?.state).not.toBe('closed');
    now = '2026-11-28T11:00:00.000Z';
    await assess(fg(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'exfiltratie van testdata, geen persoonsgegevens', by: 'FG' });
    now = '2026-11-28T11:05:00.000Z';
    expect(await closeIncident(fg(), { incidentId: id, reason: 'klaar', by: 'FG' })).toMatchObject({ state: 'closed' });
  });

  it('is silent for updates of a finding already attached, and for further findings of a type already told', async () => {
    const { id } = await assessedThenExfiltration();
    const before = await kinds(id);
    // The same finding republished with a rising count: an update, not a new finding.
    for (let n = 2; n <= 5; n++) {
      now = `2026-11-28T1${n}:00:00.000Z`;
      const r = await recordEvent(deps(), findingEvent({ id: 'x-1', type: EXFIL, createdAt: '2026-11-28T10:00:00.000Z', updatedAt: now, count: n }));
      expect(r.outcome).toBe('updated');
    }
    // A storm: forty more findings of the two types already on the incident.
    for (let n = 0; n < 40; n++) {
      const r = await recordEvent(deps(), findingEvent({ id: `s-${n}`, type: n % 2 ? EXFIL : C2, createdAt: '2026-11-28T16:00:00.000Z' }));
      expect(r.outcome).toBe('attached');
    }
    expect(await kinds(id)).toEqual(before);
  });

  it('tells the FG once per new type in a storm of attached findings, not once per finding', async () => {
    const first = await recordEvent(deps(), findingEvent({ id: 'f-0', type: C2 }));
    const id = first.incidentId as string;
    const types = ['Trojan:EC2/DropPoint!DNS', 'UnauthorizedAccess:EC2/TorClient', 'Trojan:EC2/BlackholeTraffic'];
    for (let n = 0; n < 30; n++) await recordEvent(deps(), findingEvent({ id: `f-${n + 1}`, type: types[n % 3], severity: 8 }));
    const added = (await store.listMessages(id)).filter((m) => m.kind === 'finding-added');
    expect(added.map((m) => m.channel)).toEqual(['fg', 'fg', 'fg']);
    expect(added.map((m) => m.attributes.findingType)).toEqual(types);
    // Nobody assessed yet: nothing to review.
    expect((await store.getIncident(id))?.reviewAsked ?? null).toBeNull();
  });

  it('lists at most 100 finding types: the first stay listed, its own type always, and the record says more came', async () => {
    const OWN = 'UnauthorizedAccess:EC2/ZZZ';
    const id = (await recordEvent(deps(), findingEvent({ id: 'z-0', type: OWN, severity: 7 }))).incidentId as string;
    const types = Array.from({ length: 101 }, (_, i) => `Recon:EC2/A${String(i).padStart(3, '0')}`);
    for (const [i, type] of types.entries()) await recordEvent(deps(), findingEvent({ id: `a-${i}`, type, severity: 7 }));
    let incident = (await store.getIncident(id)) as Incident;
    // The first 100 (the incident's first type and 99 more) stay; the two after them are not listed.
    expect(incident.findingTypes).toEqual([...types.slice(0, 99), OWN]);
    expect(incident.findingTypes).toContain(incident.findingType);
    // Those not listed are kept as hashes, for the --seen token (incident.ts findingTypesSeen).
    expect(incident.findingTypesNotListed).toEqual({ since: now, hashes: [types[99], types[100]].map(typeNotListedHash).sort() });
    expect((await store.getTimeline(id)).filter((e) => e.kind === 'finding-types-not-listed')).toHaveLength(1);
    expect(registerRow(incident, DEFAULT_POLICY, now).findingTypes).toBe(`${[...types.slice(0, 99), OWN].join(', ')}; further types not listed, from ${now}`);
    const told = async () => (await store.listMessages(id)).filter((m) => m.kind === 'finding-added').map((m) => m.attributes.findingType);
    expect(await told()).toEqual(types.slice(0, 99));
    // A type listed comes again, and one left out: neither is news.
    await recordEvent(deps(), findingEvent({ id: 'z-1', type: OWN, severity: 7 }));
    await recordEvent(deps(), findingEvent({ id: 'a-again', type: types[100], severity: 7 }));
    expect(await told()).toEqual(types.slice(0, 99));
    // A type beyond the 100 that becomes the incident's own (the most severe) is listed, and told.
    await recordEvent(deps(), findingEvent({ id: 'a-severe', type: types[100], severity: 8.5 }));
    incident = (await store.getIncident(id)) as Incident;
    expect(incident.findingType).toBe(types[100]);
    expect(incident.findingTypes).toHaveLength(101);
    expect(incident.findingTypes).toContain(types[100]);
    expect((await told()).at(-1)).toBe(types[100]);
    expect(verifyOk(await verifyStore(store, { now }))).toBe(true);
  });

  /** An incident of `type` at `severity`, then findings of 100 + `beyond` further types, in order: the 100th is the first not listed. */
  async function pastTheTypeCap(severity: number, beyond: number) {
    const id = (await recordEvent(deps(), findingEvent({ id: 'z-0', type: 'UnauthorizedAccess:EC2/ZZZ', severity }))).incidentId as string;
    const types = Array.from({ length: 100 + beyond }, (_, i) => `Recon:EC2/A${String(i).padStart(3, '0')}`);
    for (const [i, type] of types.entries()) {
      if (i === 99) now = '2026-11-28T02:00:00.000Z';
      await recordEvent(deps(), findingEvent({ id: `a-${i}`, type, severity }));
    }
    return { id, types };
  }
  const capMessages = async (id: string) => (await store.listMessages(id)).filter((m) => m.kind === 'finding-types-not-listed');

  // fg14a: the --seen token hashed only the listed types, so past the cap a new type left it as it was
  // and an assessment answered for a type that came after the person looked (Art. 33(1), (5)).
  it('changes the --seen token when a type past the cap comes, not when one already there comes again', async () => {
    const { id, types } = await pastTheTypeCap(7, 1);
    const token = async () => findingTypesSeen((await store.getIncident(id)) as Incident);
    const shown = await token();
    await recordEvent(deps(), findingEvent({ id: 'a-again', type: types[100], severity: 7 }));
    expect(await token()).toBe(shown);
    await recordEvent(deps(), findingEvent({ id: 'a-new', type: 'Recon:EC2/B000', severity: 7 }));
    const after = await token();
    expect(after).not.toBe(shown);
    const assessWith = (t: string) => assess(fg(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'verkenning', by: 'FG', seen: { token: t } });
    await expect(assessWith(shown)).rejects.toThrow(/the finding types changed since show printed --seen/);
    await assessWith(after);
  });

  it('tells the FG once that further finding types are no longer listed, through redelivery and a storm of unlisted types', async () => {
    const { id, types } = await pastTheTypeCap(7, 30);
    // The first finding not listed again, then a storm of findings of unlisted types.
    await recordEvent(deps(), findingEvent({ id: 'a-99', type: types[99], severity: 7 }));
    for (let n = 0; n < 60; n++) await recordEvent(deps(), findingEvent({ id: `b-${n}`, type: types[100 + (n % 30)], severity: 7 }));

    const [told, ...more] = await capMessages(id);
    expect(more).toEqual([]);
    expect(told).toMatchObject({ channel: 'fg', attributes: { kind: 'finding-types-not-listed', findingType: types[99] } });
    expect(told.subject).toMatch(/^\[datalek hoog\] Verdere typen bevindingen niet vermeld: /);
    expect(told.body).toContain(`${types[99]} (a-99)`);
    expect(told.body).toMatch(/100 typen bevindingen.*niet vermeld, niet meer als nieuw aan u gemeld en vragen geen nieuwe beoordeling/s);
    expect(told.body).toContain('2026-11-28 03:00');
    // The FG's messages stay bounded: the opening, one per listed type, and this one.
    expect((await store.listMessages(id)).filter((m) => m.channel === 'fg')).toHaveLength(1 + 99 + 1);
    const queued = (await store.getTimeline(id)).filter((e) => e.kind === 'notification-queued' && e.detail.messageKind === 'finding-types-not-listed');
    expect(queued).toHaveLength(1);
    expect(verifyOk(await verifyStore(store, { now }))).toBe(true);
  });

  it('tells the FG below the threshold only once the FG assessed: then unlisted types would have asked for a review', async () => {
    const { id, types } = await pastTheTypeCap(5, 1);
    expect(await capMessages(id)).toEqual([]);
    now = '2026-11-28T03:00:00.000Z';
    await assess(fg(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'scan', by: 'FG' });
    now = '2026-11-28T04:00:00.000Z';
    await recordEvent(deps(), findingEvent({ id: 'late-type', type: 'Recon:EC2/Z999', severity: 5 }));
    const told = await capMessages(id);
    expect(told).toHaveLength(1);
    expect(told[0].body).toContain('Recon:EC2/Z999 (late-type)');
    expect(told[0].body).not.toContain(types[100]);
  });

  it('tells on-call when the new finding plans containment the incident did not have', async () => {
    // A finding type no rule knows opens the incident with a person's triage only; a C&C finding then plans isolation.
    const first = await recordEvent(deps(), findingEvent({ id: 'p-1', type: 'Policy:EC2/UnknownToThisVersion', severity: 7.5 }));
    const id = first.incidentId as string;
    expect(first.actions.map((a) => a.type)).not.toContain('isolate-instance');
    const second = await recordEvent(deps(), findingEvent({ id: 'c-1', type: C2, severity: 7.5 }));
    expect(second.actions.map((a) => a.type)).toContain('isolate-instance');
    expect(await kinds(id)).toEqual(['fg:opened', 'on-call:opened', 'fg:finding-added', 'on-call:finding-added']);
    const page = await message(id, 'finding-added', 'on-call');
    expect(page.body).toMatch(/isol/i);
    expect(page.body).toContain(C2);
  });

  it('tells on-call of each resource an attack sequence claims as it grows, beyond the first message of its type', async () => {
    // GuardDuty updates an attack sequence as it grows: each version names one more instance, whose
    // isolation is planned. The type was told once; the third and fourth versions' new instances were
    // planned with nobody told (the policy only plans: a person isolates them, or nobody does).
    const instances = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2', 'i-0ccccccccccccccc3', 'i-0ddddddddddddddd4'];
    const version = (n: number) => {
      const detection = sequenceDetection({ instanceId: instances[0] });
      const resources = detection.sequence.resources as unknown[];
      for (const id of instances.slice(1, n))
        resources.push({ uid: id, name: id, accountId: ACCOUNT, resourceType: 'EC2_INSTANCE', region: REGION, service: 'EC2' });
      const event = credentialSequenceEvent({ id: 'seq-grows', detection });
      Object.assign(event.detail, { updatedAt: `2026-11-28T0${n}:00:00.000Z` });
      Object.assign(event.detail.service, { count: n });
      return event;
    };
    const first = await recordEvent(deps(), version(1));
    const id = first.incidentId as string;
    for (let n = 2; n <= 4; n++) {
      now = `2026-11-28T0${n}:05:00.000Z`;
      const r = await recordEvent(deps(), version(n));
      expect(r).toMatchObject({ outcome: 'updated', incidentId: id });
      expect(r.actions).toEqual([{ type: 'isolate-instance', status: 'planned' }]);
    }
    const told = (await store.listMessages(id)).filter((m) => m.channel === 'on-call' && m.kind === 'finding-added').map((m) => m.body);
    expect(told).toHaveLength(3);
    for (const [i, body] of told.entries()) expect(body).toContain(instances[i + 1]);
    // The subject names the finding type once, not "…: TYPE: TYPE dl-…" (red24 noticed it, red25).
    for (const m of (await store.listMessages(id)).filter((m) => m.kind === 'finding-added'))
      expect(m.subject.split('AttackSequence:IAM/CompromisedCredentials')).toHaveLength(2);
    // A redelivery of the last version tells nobody again.
    expect((await recordEvent(deps(), version(4))).outcome).toBe('duplicate');
    expect((await store.listMessages(id)).filter((m) => m.kind === 'finding-added' && m.channel === 'on-call')).toHaveLength(3);
    expect(verifyOk(await verifyStore(store, { now }))).toBe(true);
  });

  /** An attack sequence on bucket testdata; from version 2 on it also names bucket patientdossiers (NOT_PUBLIC). */
  const version = sequenceGrowingToBucket;

  it('asks the FG to assess again when an assessed attack sequence grows to name a bucket the incident did not hold', async () => {
    // Assessed "no personal data" on the sequence's first bucket; its next version names another
    // bucket (NOT_PUBLIC: no containment to plan). Nobody was told, no review was asked, and the
    // incident could be closed on an assessment that never saw that bucket.
    const id = (await recordEvent(deps(), version(1))).incidentId as string;
    now = '2026-11-28T01:00:00.000Z';
    await assess(fg(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'alleen testdata', by: 'FG' });
    now = '2026-11-28T02:05:00.000Z';
    expect(await recordEvent(deps(), version(2))).toMatchObject({ outcome: 'updated', incidentId: id });
    const incident = (await store.getIncident(id)) as Incident;
    expect(incident.reviewAsked).toMatchObject({ findingId: 'seq-bucket', at: now, assessedAt: '2026-11-28T01:00:00.000Z', newResource: true });
    const told = (await store.listMessages(id)).filter((m) => m.channel === 'fg' && m.kind === 'finding-added');
    expect(told).toHaveLength(1);
    expect(told[0].body).toMatch(/van vóór deze bevinding/);
    const blockers = closeBlockerItems(incident, DEFAULT_POLICY, now);
    expect(blockers).toEqual([
      expect.objectContaining({ field: 'assess', cli: expect.stringMatching(/names a resource the incident did not hold \(AttackSequence/) }),
    ]);
    await expect(closeIncident(fg(), { incidentId: id, reason: 'klaar', by: 'FG' })).rejects.toThrow(/cannot be closed yet/);
    // A redelivery asks nothing more.
    expect((await recordEvent(deps(), version(2))).outcome).toBe('duplicate');
    expect((await store.listMessages(id)).filter((m) => m.channel === 'fg' && m.kind === 'finding-added')).toHaveLength(1);
    expect(verifyOk(await verifyStore(store, { now }))).toBe(true);
  });

  it('refuses an assessment with a --seen token shown before the sequence named a bucket the incident did not hold', async () => {
    // The token covered the finding types alone: shown before the sequence grew to a second bucket,
    // it still recorded "no personal data" and answered the review the bucket asked for.
    const id = (await recordEvent(deps(), version(1))).incidentId as string;
    const shown = findingTypesSeen((await store.getIncident(id)) as Incident);
    now = '2026-11-28T01:00:00.000Z';
    const no = { incidentId: id, personalData: 'no' as const, risk: 'none' as const, reason: 'alleen testdata', by: 'FG', seen: { token: shown } };
    await assess(fg(), no);
    now = '2026-11-28T02:05:00.000Z';
    await recordEvent(deps(), version(2));
    await expect(assess(fg(), { ...no, reason: 'nog steeds testdata' })).rejects.toThrow(
      new RegExp(
        `the resources changed since show printed --seen ${shown}, or it was not printed for incident ${id} .*: the incident now names 7 resources and credentials.*datalek show ${id}.*nothing was recorded`,
      ),
    );
    expect(((await store.getIncident(id)) as Incident).reviewAsked).toMatchObject({ newResource: true });
    // Nor without a token: one type asks none, but the review a new resource asked needs it.
    await expect(assess(fg(), { ...no, reason: 'nog steeds testdata', seen: {} })).rejects.toThrow(
      new RegExp(`a finding named a resource the incident did not hold after the assessment .*--seen that datalek show ${id} prints.*nothing was recorded`),
    );
    const again = findingTypesSeen((await store.getIncident(id)) as Incident);
    expect(again).not.toBe(shown);
    await assess(fg(), { ...no, reason: 'ook patientdossiers bekeken', seen: { token: again } });
    expect(((await store.getIncident(id)) as Incident).assessment?.reason).toBe('ook patientdossiers bekeken');
  });

  it('asks the FG to assess again when an assessed attack sequence grows to name a bucket another incident held, merged in with no type new to it', async () => {
    // red26: 27d8c96c asks a review for a resource no incident held; a bucket another incident held came
    // with the merge of that incident, and a merge asked a review only for a type new to the survivor.
    // The sequence's "no personal data" then stood for the patient-records bucket, closable, nobody asked.
    const id = (await recordEvent(deps(), version(1))).incidentId as string;
    now = '2026-11-28T01:00:00.000Z';
    await assess(fg(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'alleen testdata', by: 'FG' });
    // Another sequence of the same type names the patient-records bucket alone: an incident of its own, not assessed.
    now = '2026-11-28T01:30:00.000Z';
    const detection = sequenceDetection({ bucket: 'patientdossiers', accessKeyId: 'AKIAEXAMPLE000000099', userName: 'iemand' });
    detection.sequence.resources = detection.sequence.resources.filter((r) => r.resourceType === 'S3_BUCKET');
    Object.assign(detection.sequence.actors[0], { id: 'user:IAMUser:AIDAOTHER:iemand' });
    Object.assign(detection.sequence.actors[0].user, { uid: 'AIDAOTHER' });
    const other = await recordEvent(deps(), credentialSequenceEvent({ id: 'seq-other', createdAt: '2026-11-28T01:20:00.000Z', detection }));
    expect(other.outcome).toBe('opened');
    now = '2026-11-28T02:05:00.000Z';
    expect(await recordEvent(deps(), version(2))).toMatchObject({ outcome: 'updated', incidentId: id });
    expect(((await store.getIncident(other.incidentId as string)) as Incident).mergedInto).toBe(id);
    const incident = (await store.getIncident(id)) as Incident;
    expect(incident.reviewAsked).toMatchObject({ at: now, assessedAt: '2026-11-28T01:00:00.000Z', newResource: true });
    const told = (await store.listMessages(id)).filter((m) => m.channel === 'fg' && m.kind === 'finding-added');
    expect(told).toHaveLength(1);
    await expect(closeIncident(fg(), { incidentId: id, reason: 'klaar', by: 'FG' })).rejects.toThrow(/cannot be closed yet/);
    await expect(assess(fg(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'nog steeds testdata', by: 'FG', seen: {} })).rejects.toThrow(
      /a finding named a resource the incident did not hold after the assessment/,
    );
    expect(verifyOk(await verifyStore(store, { now }))).toBe(true);
  });

  it('does not page on-call for a new type that plans nothing new', async () => {
    const first = await recordEvent(deps(), findingEvent({ id: 'c-1', type: C2 }));
    await recordEvent(deps(), findingEvent({ id: 'x-1', type: EXFIL }));
    expect(await kinds(first.incidentId as string)).toEqual(['fg:opened', 'on-call:opened', 'fg:finding-added']);
  });
});

it("keeps the types' part of the --seen token of an incident within the type cap as it was: the hash of its listed types", () => {
  // As shown before fg14a; the resources' part after it names the incident (red27).
  const few = incidentFixture({ findingTypes: ['D:E/F', 'A:B/C'] });
  expect(findingTypesSeen(few).split('-')[0]).toBe(
    createHash('sha256')
      .update(JSON.stringify(['A:B/C', 'D:E/F']))
      .digest('hex')
      .slice(0, 8),
  );
});
