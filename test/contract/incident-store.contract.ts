/**
 * The guarantees of the IncidentStore port, as one suite that runs against every adapter (the
 * embedded SQLite store and the DynamoDB store), so the two cannot drift apart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RawIncident } from '../../handlers/core/audit.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import { ConflictError } from '../../handlers/core/errors.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { parseEvent } from '../../handlers/core/finding.js';
import { principalPseudonym } from '../../handlers/core/finding-resources.js';
import { sha256 } from '../../handlers/core/hash.js';
import { type ActionRecord, appendEntries, type FindingRecord, type Incident, type OutboxMessage } from '../../handlers/core/incident.js';
import { ledgerGenesis, registryGenesis, registryShardOf } from '../../handlers/core/ledger.js';
import { MINIMISED, minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import type { AuditSource } from '../../handlers/ports/audit-source.js';
import type { Containment, ExecutionContext } from '../../handlers/ports/containment.js';
import type { IncidentChange, IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent } from '../support/events.js';
import { incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { addressOnlyEvent } from '../support/personal-finding.js';
import { listingRefused } from '../support/store.js';

export interface StoreFixture {
  store: IncidentStore;
  cleanup: () => Promise<void>;
  /** Every row or item the store keeps, as stored (its columns or attributes too, not only its data): what whoever holds a copy holds. */
  rows: () => Promise<string[]>;
}

let counter = 0;

function draftIncident(over: Partial<Incident> = {}): Incident {
  counter += 1;
  return incidentFixture({ id: `dl-contract-${process.pid}-${Date.now()}-${counter}`, ...over });
}

function findingFor(incident: Incident, over: Partial<FindingRecord> = {}): FindingRecord {
  return {
    key: incident.firstFinding,
    version: { updatedAt: '2026-11-27T21:00:00.000Z', count: 1 },
    incidentId: incident.id,
    type: incident.findingType,
    severity: incident.severity,
    createdAt: incident.detectedAt,
    sample: false,
    archived: false,
    detail: { id: incident.firstFinding.findingId, nested: { keep: ['all', 'fields'] } },
    ...over,
  };
}

function message(incident: Incident, stateKey: string): OutboxMessage {
  return {
    id: `${incident.id}/fg/${stateKey}`,
    incidentId: incident.id,
    channel: 'fg',
    kind: 'opened',
    subject: `subject ${stateKey}`,
    body: 'body',
    attributes: { incidentId: incident.id, severity: '8', band: 'High', sample: 'false', kind: 'opened' },
    createdAt: '2026-11-27T21:01:00.000Z',
    sentAt: null,
  };
}

/** A create change: the incident, its first finding, one timeline entry and one message. */
function createChange(incident: Incident): IncidentChange {
  const timeline = appendEntries(incident, [{ at: '2026-11-27T21:01:00.000Z', kind: 'incident-opened', detail: { n: 1 } }]);
  return { incident, expectedRevision: null, finding: { record: findingFor(incident), expected: null }, timeline, messages: [message(incident, 'opened')] };
}

/** The next revision of a stored incident, with one more timeline entry. */
function nextChange(current: Incident, mutate: (i: Incident) => void = () => {}, kind = 'note'): IncidentChange {
  const incident = structuredClone(current);
  mutate(incident);
  incident.revision = current.revision + 1;
  const timeline = appendEntries(incident, [{ at: '2026-11-27T22:00:00.000Z', kind, detail: { rev: incident.revision } }]);
  return { incident, expectedRevision: current.revision, timeline, messages: [] };
}

/** A stored incident with its opening message and one message per key after it; their ids, the opening one first. */
async function incidentWithMessages(store: IncidentStore, keys: string[]): Promise<{ incident: Incident; ids: string[] }> {
  const incident = draftIncident();
  await store.commit(createChange(incident));
  const v1 = (await store.getIncident(incident.id)) as Incident;
  await store.commit({ ...nextChange(v1), messages: keys.map((k) => message(v1, k)) });
  return { incident, ids: ['opened', ...keys].map((k) => `${incident.id}/fg/${k}`) };
}

/**
 * The addresses of 198.51.100.0/24 that a minimised finding record (`kept`) gives back to whoever
 * holds the store: each put back where the record says `(minimised)`, the record's bytes before
 * rebuilt (its minimisation note left out), and hashed; those whose hash the store keeps (in the
 * incident's ledger, or the record) are found.
 */
function addressesGivenBack(raw: RawIncident, kept: string): string[] {
  const hashes = new Set([...raw.ledger.map((l) => l.data), kept].flatMap((text) => text.match(/[0-9a-f]{64}/g) ?? []));
  // The salt minimising gave it is no part of the record before (read10a A4): left out, as whoever guesses would.
  const { minimised: _note, salt: _fresh, ...before } = JSON.parse(kept);
  const shape = JSON.stringify(before);
  return Array.from({ length: 256 }, (_, n) => `198.51.100.${n}`).filter((guess) => hashes.has(sha256(shape.replaceAll(MINIMISED, guess))));
}

export function incidentStoreContract(name: string, makeFixture: () => Promise<StoreFixture>): void {
  describe(`IncidentStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: IncidentStore;
    beforeEach(async () => {
      fx = await makeFixture();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('stores an incident with its finding, timeline and message, and reads them back', async () => {
      const incident = draftIncident();
      await store.commit(createChange(incident));
      expect(await store.getIncident(incident.id)).toEqual(incident);
      expect(await store.findOpenIncident(incident.resourceKey)).toEqual(incident);
      expect(await store.getFinding(incident.firstFinding)).toEqual(findingFor(incident));
      const timeline = await store.getTimeline(incident.id);
      expect(timeline.map((e) => [e.seq, e.kind, e.detail])).toEqual([[1, 'incident-opened', { n: 1 }]]);
      expect((await store.listMessages(incident.id)).map((m) => m.id)).toEqual([`${incident.id}/fg/opened`]);
    });

    it('answers undefined for what is not there, without failing', async () => {
      expect(await store.getIncident('dl-nothing-here')).toBeUndefined();
      expect(await store.getFinding({ accountId: '111122223333', region: 'eu-west-1', findingId: 'none' })).toBeUndefined();
      expect(await store.findOpenIncident('ec2-instance:none')).toBeUndefined();
      expect(await store.getTimeline('dl-nothing-here')).toEqual([]);
    });

    it('opens one incident per id: a second create conflicts and stores nothing', async () => {
      const incident = draftIncident();
      await store.commit(createChange(incident));
      const again = draftIncident({ id: incident.id, resourceKey: `${incident.resourceKey}-other` });
      await expect(store.commit(createChange(again))).rejects.toBeInstanceOf(ConflictError);
      expect((await store.getIncident(incident.id))?.resourceKey).toBe(incident.resourceKey);
      expect(await store.getTimeline(incident.id)).toHaveLength(1);
    });

    it('holds at most one open incident per resource, and frees it when closed', async () => {
      const first = draftIncident();
      await store.commit(createChange(first));
      const second = draftIncident({ resourceKey: first.resourceKey });
      await expect(store.commit(createChange(second))).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getIncident(second.id)).toBeUndefined();
      expect(await store.getFinding(second.firstFinding)).toBeUndefined();

      const stored = (await store.getIncident(first.id)) as Incident;
      await store.commit(
        nextChange(
          stored,
          (i) => {
            i.state = 'closed';
          },
          'closed',
        ),
      );
      expect(await store.findOpenIncident(first.resourceKey)).toBeUndefined();
      const third = draftIncident({ resourceKey: first.resourceKey });
      await store.commit(createChange(third));
      expect((await store.findOpenIncident(first.resourceKey))?.id).toBe(third.id);
      // A later change to the closed incident (a late finding update) leaves the new one's hold alone.
      const closed = (await store.getIncident(first.id)) as Incident;
      await store.commit(nextChange(closed, () => {}, 'finding-updated'));
      expect((await store.findOpenIncident(first.resourceKey))?.id).toBe(third.id);
    });

    it('rejects a change computed from an old revision, storing none of it', async () => {
      const incident = draftIncident();
      await store.commit(createChange(incident));
      const v1 = (await store.getIncident(incident.id)) as Incident;
      await store.commit(nextChange(v1, (i) => (i.severity = 9)));
      const late = nextChange(v1, (i) => (i.severity = 5));
      late.messages = [message(v1, 'late')];
      await expect(store.commit(late)).rejects.toBeInstanceOf(ConflictError);
      const now = (await store.getIncident(incident.id)) as Incident;
      expect(now.severity).toBe(9);
      expect(now.revision).toBe(2);
      expect((await store.getTimeline(incident.id)).map((e) => e.seq)).toEqual([1, 2]);
      expect((await store.listMessages(incident.id)).map((m) => m.id)).toEqual([`${incident.id}/fg/opened`]);
    });

    it('never lets a finding version go backwards or a finding be added twice', async () => {
      const incident = draftIncident();
      await store.commit(createChange(incident));
      const v1 = (await store.getIncident(incident.id)) as Incident;
      const newer = findingFor(incident, { version: { updatedAt: '2026-11-28T03:00:00.000Z', count: 3 } });
      await store.commit({ ...nextChange(v1), finding: { record: newer, expected: { updatedAt: '2026-11-27T21:00:00.000Z', count: 1 } } });
      expect((await store.getFinding(incident.firstFinding))?.version).toEqual({ updatedAt: '2026-11-28T03:00:00.000Z', count: 3 });

      const v2 = (await store.getIncident(incident.id)) as Incident;
      const fromOld = { ...nextChange(v2), finding: { record: findingFor(incident), expected: { updatedAt: '2026-11-27T21:00:00.000Z', count: 1 } } };
      await expect(store.commit(fromOld)).rejects.toBeInstanceOf(ConflictError);
      const twice = { ...nextChange(v2), finding: { record: findingFor(incident), expected: null } };
      await expect(store.commit(twice)).rejects.toBeInstanceOf(ConflictError);
      expect((await store.getFinding(incident.firstFinding))?.version.count).toBe(3);
      expect((await store.getIncident(incident.id))?.revision).toBe(2);
    });

    it('lets exactly one of ten concurrent writers open an incident on one resource', async () => {
      const resourceKey = `ec2-instance:race-${Date.now()}`;
      const drafts = Array.from({ length: 10 }, () => draftIncident({ resourceKey }));
      const results = await Promise.allSettled(drafts.map((d) => store.commit(createChange(d))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      const winner = drafts[results.findIndex((r) => r.status === 'fulfilled')];
      expect((await store.findOpenIncident(resourceKey))?.id).toBe(winner.id);
    });

    it('lets exactly one of ten concurrent updates of one revision through', async () => {
      const incident = draftIncident();
      await store.commit(createChange(incident));
      const v1 = (await store.getIncident(incident.id)) as Incident;
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => store.commit(nextChange(v1, (i) => (i.findings = n + 2)))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await store.getTimeline(incident.id)).map((e) => e.seq)).toEqual([1, 2]);
    });

    it('queues a message id once, and hands it to one sender at a time', async () => {
      const incident = draftIncident();
      await store.commit(createChange(incident));
      const v1 = (await store.getIncident(incident.id)) as Incident;
      await store.commit({ ...nextChange(v1), messages: [message(v1, 'opened'), message(v1, 'band:Critical')] });
      expect((await store.listMessages(incident.id)).map((m) => m.id).sort()).toEqual([`${incident.id}/fg/band:Critical`, `${incident.id}/fg/opened`]);

      const id = `${incident.id}/fg/opened`;
      const mine = (await store.pendingMessages()).filter((m) => m.incidentId === incident.id);
      expect(mine).toHaveLength(2);
      const claims = await Promise.all([1, 2, 3].map(() => store.claimMessage(id, '2026-11-27T21:02:00.000Z', '2026-11-27T21:07:00.000Z')));
      expect(claims.filter(Boolean)).toHaveLength(1);
      // A lease that ran out (the sender died) can be taken again.
      expect(await store.claimMessage(id, '2026-11-27T21:08:00.000Z', '2026-11-27T21:13:00.000Z')).toBe(true);
      await store.markSent(id, '2026-11-27T21:08:01.000Z');
      expect(await store.claimMessage(id, '2026-11-27T22:00:00.000Z', '2026-11-27T22:05:00.000Z')).toBe(false);
      const sent = (await store.listMessages(incident.id)).find((m) => m.id === id);
      expect(sent?.sentAt).toBe('2026-11-27T21:08:01.000Z');
      expect((await store.pendingMessages()).filter((m) => m.incidentId === incident.id).map((m) => m.id)).toEqual([`${incident.id}/fg/band:Critical`]);
    });

    it('answers the reads for a finding at once as the single reads answer them', async () => {
      const incident = draftIncident();
      await store.commit(createChange(incident));
      const nobody = `ec2-instance:nobody-${Date.now()}`;
      const known = await store.readForFinding(incident.firstFinding, [incident.resourceKey, nobody], incident.id);
      expect(known).toEqual({ finding: findingFor(incident), holders: [incident, undefined], incident });
      const unknownKey = { ...incident.firstFinding, findingId: `unknown-${Date.now()}` };
      expect(await store.readForFinding(unknownKey, [nobody], 'dl-nothing-here')).toEqual({ finding: undefined, holders: [undefined], incident: undefined });
    });

    it('keeps the registry chained when another incident was opened between the reads for a finding and its commit', async () => {
      // Two incidents whose ids fall in the same registry shard.
      const first = draftIncident();
      let second = draftIncident();
      while (registryShardOf(second.id) !== registryShardOf(first.id)) second = draftIncident();
      await store.readForFinding(first.firstFinding, [first.resourceKey], first.id);
      await store.commit(createChange(second));
      // The first's commit was decided before the second moved the shard's head: it is stored on
      // the new head, or refused as a lost race and stored after a fresh read.
      try {
        await store.commit(createChange(first));
      } catch (err) {
        expect(err).toBeInstanceOf(ConflictError);
        await store.readForFinding(first.firstFinding, [first.resourceKey], first.id);
        await store.commit(createChange(first));
      }
      const shard = (await (store as unknown as AuditSource).registry())[registryShardOf(first.id)];
      const ids = shard.map((e) => JSON.parse(e.data).incidentId);
      expect(ids.slice(-2)).toEqual([second.id, first.id]);
      for (const [i, e] of shard.entries()) {
        expect(e.n).toBe(i + 1);
        expect(e.prevHash).toBe(i === 0 ? registryGenesis(registryShardOf(first.id)) : shard[i - 1].hash);
      }
    });

    it('claims messages at once, leaving those another sender holds or sent, and marks several sent, each in the ledger once', async () => {
      const { incident, ids } = await incidentWithMessages(store, ['a', 'b', 'c']);
      const [opened, a, b, c] = ids;
      expect(await store.claimMessage(b, '2026-11-27T21:02:00.000Z', '2026-11-27T21:07:00.000Z')).toBe(true);
      await store.markSent(opened, '2026-11-27T21:02:30.000Z');
      const claimed = await store.claimMessages([opened, a, b, c], '2026-11-27T21:03:00.000Z', '2026-11-27T21:08:00.000Z');
      expect(claimed.sort()).toEqual([a, c].sort());
      // `a` is marked by another sender first: it is recorded once.
      await store.markSent(a, '2026-11-27T21:03:30.000Z');
      await store.markAllSent([a, c], '2026-11-27T21:04:00.000Z');
      const sentAt = Object.fromEntries((await store.listMessages(incident.id)).map((m) => [m.id, m.sentAt]));
      expect(sentAt).toEqual({ [opened]: '2026-11-27T21:02:30.000Z', [a]: '2026-11-27T21:03:30.000Z', [b]: null, [c]: '2026-11-27T21:04:00.000Z' });
      const raw = await (store as unknown as AuditSource).rawIncident(incident.id);
      const sentEntries = raw.ledger.map((e) => JSON.parse(e.data).sent?.id).filter(Boolean);
      expect(sentEntries).toEqual([opened, a, c]);
      for (const [i, e] of raw.ledger.entries()) expect(e.prevHash).toBe(i === 0 ? ledgerGenesis(incident.id) : raw.ledger[i - 1].hash);
    });

    it('gives back a claim only while it is still the one given back: never a later sender’s, never a sent message’s', async () => {
      const { incident, ids } = await incidentWithMessages(store, ['a', 'b', 'c']);
      const [opened, a, b, c] = ids;
      const lease = '2026-11-27T21:07:00.000Z';
      expect((await store.claimMessages([opened, a, b, c], '2026-11-27T21:02:00.000Z', lease)).sort()).toEqual([opened, a, b, c].sort());
      // `a` was sent; `b`'s lease ran out and another sender claimed it (a later lease).
      await store.markSent(a, '2026-11-27T21:02:30.000Z');
      expect(await store.claimMessage(b, lease, '2026-11-27T21:12:00.000Z')).toBe(true);

      const released = await store.releaseMessageClaims([opened, a, b, c, `${incident.id}/fg/never-queued`], lease);

      expect(released.sort()).toEqual([opened, c].sort());
      // What was given back is taken again at once, well before the lease would have run out.
      expect((await store.claimMessages([opened, c], '2026-11-27T21:03:00.000Z', '2026-11-27T21:08:00.000Z')).sort()).toEqual([opened, c].sort());
      // The later sender still holds `b`: nobody else may take it while its delivery may be in flight.
      expect(await store.claimMessage(b, '2026-11-27T21:08:00.000Z', '2026-11-27T21:13:00.000Z')).toBe(false);
      // Given back twice (a retried call): the second finds another's claim, and leaves it.
      expect(await store.releaseMessageClaims([opened], lease)).toEqual([]);
      expect(await store.claimMessage(opened, '2026-11-27T21:04:00.000Z', '2026-11-27T21:09:00.000Z')).toBe(false);
      // The sent message stays sent, and nothing of a release is in the ledger (a claim is not a change to the record).
      const raw = await (store as unknown as AuditSource).rawIncident(incident.id);
      expect(raw.messages.find((m) => m.id === a)?.sentAt).toBe('2026-11-27T21:02:30.000Z');
      expect(raw.ledger.map((e) => JSON.parse(e.data).sent?.id).filter(Boolean)).toEqual([a]);
      expect(raw.messages.find((m) => m.id === b)?.claimedUntil).toBe('2026-11-27T21:12:00.000Z');
      expect(await store.releaseMessageClaims([], lease)).toEqual([]);
    });

    it('lists only what is due, and open or dated incidents on request', async () => {
      const due = draftIncident({ nextDueAt: '2026-11-28T10:00:00.000Z', detectedAt: '2026-11-20T00:00:00.000Z' });
      const later = draftIncident({ nextDueAt: '2026-11-29T10:00:00.000Z', detectedAt: '2026-11-25T00:00:00.000Z' });
      const never = draftIncident({ nextDueAt: null, state: 'closed', detectedAt: '2026-11-26T00:00:00.000Z' });
      for (const i of [due, later, never]) await store.commit(createChange(i));
      const ids = new Set([due.id, later.id, never.id]);
      const dueNow = (await store.listDue('2026-11-28T12:00:00.000Z')).filter((i) => ids.has(i.id));
      expect(dueNow.map((i) => i.id)).toEqual([due.id]);
      const open = (await store.listIncidents({ openOnly: true })).filter((i) => ids.has(i.id));
      expect(open.map((i) => i.id).sort()).toEqual([due.id, later.id].sort());
      const window = (await store.listIncidents({ from: '2026-11-24T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z' })).filter((i) => ids.has(i.id));
      expect(window.map((i) => i.id)).toEqual([later.id]);
    });

    it('lists a closed incident that is still due (assessed notifiable after closing: the AP deadline reminds)', async () => {
      const closed = draftIncident({ nextDueAt: '2026-11-28T10:00:00.000Z', state: 'closed', detectedAt: '2026-11-20T00:00:00.000Z' });
      await store.commit(createChange(closed));
      const dueNow = (await store.listDue('2026-11-28T12:00:00.000Z')).filter((i) => i.id === closed.id);
      expect(dueNow.map((i) => i.nextDueAt)).toEqual(['2026-11-28T10:00:00.000Z']);
    });

    it('finds an incident by every resource key it claimed, and keeps them from others', async () => {
      // Prepare: an incident holding two further resources (an attack sequence names several).
      const holder = draftIncident();
      const keyA = `access-key:111122223333:AKIA${holder.id}`;
      const keyB = `s3-bucket:111122223333:bucket-${holder.id}`;
      holder.resourceKeys = [keyA, keyB];
      // Act
      await store.commit({ ...createChange(holder), claims: [keyA, keyB] });
      // Assess: found by each key; another incident can neither open on nor claim them.
      expect((await store.findOpenIncident(keyA))?.id).toBe(holder.id);
      expect((await store.findOpenIncident(keyB))?.id).toBe(holder.id);
      const onA = draftIncident({ resourceKey: keyA });
      await expect(store.commit(createChange(onA))).rejects.toBeInstanceOf(ConflictError);
      const claimer = draftIncident();
      claimer.resourceKeys = [keyB];
      await expect(store.commit({ ...createChange(claimer), claims: [keyB] })).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getIncident(claimer.id)).toBeUndefined();
      // Nor claim another open incident's own resource.
      const thief = draftIncident();
      thief.resourceKeys = [holder.resourceKey];
      await expect(store.commit({ ...createChange(thief), claims: [holder.resourceKey] })).rejects.toBeInstanceOf(ConflictError);
    });

    it('frees claimed keys when the incident closes', async () => {
      const holder = draftIncident();
      const key = `ec2-instance:111122223333:eu-west-1:i-claimed-${holder.id}`;
      holder.resourceKeys = [key];
      await store.commit({ ...createChange(holder), claims: [key] });
      const stored = (await store.getIncident(holder.id)) as Incident;
      await store.commit(
        nextChange(stored, (i) => {
          i.state = 'closed';
        }),
      );
      expect(await store.findOpenIncident(key)).toBeUndefined();
      expect(await store.findOpenIncident(holder.resourceKey)).toBeUndefined();
      const next = draftIncident({ resourceKey: key });
      await store.commit(createChange(next));
      expect((await store.findOpenIncident(key))?.id).toBe(next.id);
    });

    it('merges atomically: the merged incident closes and its resources pass to the survivor', async () => {
      // Prepare: two open incidents, each on its own resource.
      const survivor = draftIncident();
      const merged = draftIncident();
      const extra = `access-key:111122223333:AKIAMERGE${merged.id}`;
      merged.resourceKeys = [extra];
      await store.commit(createChange(survivor));
      await store.commit({ ...createChange(merged), claims: [extra] });
      const s0 = (await store.getIncident(survivor.id)) as Incident;
      const m0 = (await store.getIncident(merged.id)) as Incident;
      // Act: one commit closes the merged one and lets the survivor claim what it held.
      const closing = nextChange(
        m0,
        (i) => {
          i.state = 'closed';
          i.mergedInto = survivor.id;
        },
        'merged-into',
      );
      const taking = nextChange(
        s0,
        (i) => {
          i.resourceKeys = [merged.resourceKey, extra];
        },
        'incidents-merged',
      );
      await store.commit({ ...taking, claims: [merged.resourceKey, extra], others: [closing] });
      // Assess
      expect((await store.getIncident(merged.id))?.mergedInto).toBe(survivor.id);
      expect((await store.findOpenIncident(merged.resourceKey))?.id).toBe(survivor.id);
      expect((await store.findOpenIncident(extra))?.id).toBe(survivor.id);
      expect((await store.getTimeline(merged.id)).map((e) => e.kind)).toEqual(['incident-opened', 'merged-into']);
    });

    it('stores nothing of a merge whose survivor changed meanwhile', async () => {
      const survivor = draftIncident();
      const merged = draftIncident();
      await store.commit(createChange(survivor));
      await store.commit(createChange(merged));
      const s0 = (await store.getIncident(survivor.id)) as Incident;
      const m0 = (await store.getIncident(merged.id)) as Incident;
      await store.commit(nextChange(s0)); // someone else changed the survivor
      const closing = nextChange(m0, (i) => {
        i.state = 'closed';
      });
      const taking = nextChange(s0, (i) => {
        i.resourceKeys = [merged.resourceKey];
      });
      await expect(store.commit({ ...taking, claims: [merged.resourceKey], others: [closing] })).rejects.toBeInstanceOf(ConflictError);
      expect((await store.getIncident(merged.id))?.state).toBe('open');
      expect((await store.findOpenIncident(merged.resourceKey))?.id).toBe(merged.id);
    });

    it('keeps no hash after minimising that gives the removed address back to whoever tries every address of its /24', async () => {
      // Prepare: a finding whose only personal data is one IPv4 address, recorded and closed.
      counter += 1;
      const address = '198.51.100.77';
      const findingId = `f-minimise-${process.pid}-${Date.now()}-${counter}`;
      const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-01-10T09:05:00.000Z', canEnforce: false };
      const incidentId = (await recordEvent(deps, addressOnlyEvent(findingId, `i-min-${findingId}`, address))).incidentId as string;
      await assess(deps, { incidentId, personalData: 'no', risk: 'none', reason: 'alleen een scan', by: 'FG' });
      await closeIncident(deps, { incidentId, reason: 'afgehandeld', by: 'FG' });
      const audit = store as IncidentStore & AuditSource;
      const minimiseDeps = { store, audit, now: () => '2026-09-01T00:00:00.000Z', machineNow: () => '2026-09-01T00:00:00.000Z' };
      expect((await minimiseClosed(minimiseDeps, { by: 'FG', afterDays: 180, only: incidentId })).minimised[0]?.findings).toBe(1);
      // Act: what the store keeps of the incident after minimising: the record and every hash of its ledger.
      const raw = await audit.rawIncident(incidentId);
      const kept = raw.findings.find((f) => f.key.endsWith(findingId))?.data as string;
      expect(kept).not.toContain(address);
      // Assess: no address of the /24 put back hashes to what the store keeps, and the store verifies.
      expect(addressesGivenBack(raw, kept)).toEqual([]);
      expect((await verifyStore(audit, { only: incidentId, now: '2026-09-01T00:00:00.000Z' })).problems).toEqual([]);
    });

    it('leaves nothing after minimising that finds the incident of a known person by recomputing the pseudonym under the store secret, and still joins that person’s findings while open', async () => {
      // Prepare: two console sign-ins of one IAM user named by the user name alone (a pseudonym), joined, assessed, closed.
      counter += 1;
      const user = `jan.jansen.${process.pid}.${counter}@example.nl`;
      const signIn = (id: string) =>
        findingEvent({
          id,
          createdAt: '2026-01-10T09:00:00.000Z',
          type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
          resource: { resourceType: 'AccessKey', accessKeyDetails: { userType: 'IAMUser', userName: user } },
        } as never);
      const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-01-10T09:05:00.000Z', canEnforce: false };
      const incidentId = (await recordEvent(deps, signIn(`f-person-1-${counter}`))).incidentId as string;
      const again = await recordEvent({ ...deps, now: () => '2026-01-10T10:05:00.000Z' }, signIn(`f-person-2-${counter}`));
      expect([again.outcome, again.incidentId], 'the person’s next finding joins the open incident').toEqual(['attached', incidentId]);
      await assess(deps, { incidentId, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
      await closeIncident(deps, { incidentId, reason: 'afgehandeld', by: 'FG' });
      const audit = store as IncidentStore & AuditSource;
      const minimiseDeps = { store, audit, now: () => '2026-09-01T00:00:00.000Z', machineNow: () => '2026-09-01T00:00:00.000Z' };
      expect((await minimiseClosed(minimiseDeps, { by: 'FG', afterDays: 180, only: incidentId })).minimised[0]?.findings).toBe(2);
      // Act: whoever holds the store takes its secret and the name they suspect, and looks for the pseudonym it makes.
      const pseudonym = principalPseudonym(await store.pseudonymKey(), user, 'iam-user');
      const digits = pseudonym.slice('iam-user:'.length);
      const found = (await fx.rows()).filter((row) => row.includes(digits));
      // Assess: no row names it (the record, its join index, its timeline, its messages); the incident verifies, its chain as written.
      expect(found, 'rows that tie the minimised incident to the person').toEqual([]);
      expect((await verifyStore(audit, { only: incidentId, now: '2026-09-01T00:00:00.000Z' })).problems).toEqual([]);
    });

    it('minimises a finding record written before records had a salt, and verify accepts it; its old hash still gives the address back', async () => {
      // Prepare: the record as datalek wrote it before (no salt), in an incident closed since.
      const address = '198.51.100.78';
      const findingId = `f-old-${process.pid}-${Date.now()}-${counter}`;
      const parsed = parseEvent(addressOnlyEvent(findingId, `i-${findingId}`, address), { now: '2026-01-10T09:05:00.000Z' });
      if (parsed.kind !== 'finding') throw new Error('not a finding');
      const f = parsed.finding;
      const incident = draftIncident({ firstFinding: f.key, state: 'closed', closedAt: '2026-01-12T10:00:00.000Z', nextDueAt: null });
      const old: FindingRecord = { ...findingFor(incident), version: f.version, type: f.type, detail: f.detail };
      // Closed by its entry, as the pipeline closes one: verify names a closing the timeline lacks (red28).
      const created = createChange(incident);
      const timeline = [...created.timeline, ...appendEntries(incident, [{ at: '2026-01-12T10:00:00.000Z', kind: 'closed', detail: { by: 'FG' } }])];
      await store.commit({ ...created, timeline, finding: { record: old, expected: null } });
      const audit = store as IncidentStore & AuditSource;
      const deps = { store, audit, now: () => '2026-09-01T00:00:00.000Z', machineNow: () => '2026-09-01T00:00:00.000Z' };
      // Act
      expect((await minimiseClosed(deps, { by: 'FG', afterDays: 180, only: incident.id })).minimised[0]?.findings).toBe(1);
      // Assess: minimised and verified as any record; what it keeps is what the README says old records keep.
      const verified = await verifyStore(audit, { only: incident.id, now: '2026-09-01T00:00:00.000Z' });
      expect(verified.problems).toEqual([]);
      const raw = await audit.rawIncident(incident.id);
      const kept = raw.findings[0]?.data as string;
      expect(kept).not.toContain(address);
      expect(addressesGivenBack(raw, kept)).toEqual([address]);
    });

    it('lets a containment run decide who holds a resource from its key’s holder alone, never listing incidents', async () => {
      // The key's holder and two linked incidents plan one instance; the first linked run takes it up.
      const holder = draftIncident();
      const instance = holder.resource.id;
      const isolate = (id: string): ActionRecord => ({
        id: `isolate-instance:${instance}`,
        type: 'isolate-instance',
        target: instance,
        status: 'planned',
        mode: 'enforce',
        findingId: `f-${id}-${instance}`,
        at: '2026-11-27T21:00:00.000Z',
      });
      const linked = [draftIncident(), draftIncident()];
      for (const incident of [holder, ...linked]) {
        await store.commit({ ...createChange({ ...incident, actions: [isolate(incident.id)] }), messages: [] });
        await storeInstanceFinding(store, incident.id, `f-${incident.id}-${instance}`, instance);
      }
      const executed: string[] = [];
      const containment: Containment = {
        canEnforce: true,
        execute: async (_a: ActionRecord, ctx: ExecutionContext) => {
          executed.push(ctx.incident.id);
          await ctx.record({ name: 'isolate', status: 'done', at: '2026-11-27T21:05:00.000Z', detail: 'isolated' });
        },
        release: async () => {},
      };
      const deps: ContainDeps = {
        store: listingRefused(store),
        policy: DEFAULT_POLICY,
        now: () => '2026-11-27T21:05:00.000Z',
        containment,
        forceEnforce: true,
      };
      for (const id of [linked[0].id, holder.id, linked[1].id]) await runContainment(deps, id);
      expect(executed).toEqual([linked[0].id]);
      expect((await store.getIncident(holder.id))?.containedBy).toEqual([
        { type: 'isolate-instance', target: instance, accountId: holder.accountId, region: holder.region, incidentId: linked[0].id },
      ]);
      for (const id of [holder.id, linked[1].id]) expect((await store.getIncident(id))?.actions[0]).toMatchObject({ status: 'skipped', heldBy: linked[0].id });
    });
  });
}
