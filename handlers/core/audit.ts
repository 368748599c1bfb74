/**
 * The audit behind `datalek verify`: the stored bytes of every table that matters, read back and
 * checked against the ledger and the registry (core/ledger.ts). Nothing here trusts a row: a row
 * that is not valid JSON, or not the shape it should be, is a problem reported by incident and
 * entry, never an exception.
 *
 * What it finds on its own: an edited, removed, inserted or reordered row of any of the tables (the
 * incident record with its legal fields, findings, timeline, outbox including when a message was
 * sent, ledger), a whole incident deleted (the registry still names it), an incident that is in no
 * registry, columns the store reads by (next due time, state; DynamoDB's index entries) that no
 * longer match the record, and a message not sent that is not where the senders look.
 * What it cannot find on its own: a consistent rewrite that recomputes every hash; digests written
 * by `datalek anchor` (core/digest.ts) catch that.
 */

import { checkLawFieldsAgainstTimeline } from './audit-law-fields.js';
import { checkOpsFieldsAgainstTimeline } from './audit-ops-fields.js';
import {
  checkAnnouncedAgainstTimeline,
  checkContainmentAgainstTimeline,
  checkFactsAgainstTimeline,
  checkFirstActivityAgainstTimeline,
} from './audit-record.js';
import { checkReleasedAsDeletedAgainstTimeline } from './audit-released-as-deleted.js';
import { checkAnnouncedAgainstQueued, checkReminderTracksAgainstTimeline } from './audit-reminders.js';
import { canonicalJson, sha256 } from './hash.js';
import { entryHash, genesisHash } from './incident.js';
import { withOwnPseudonyms } from './incident-pseudonyms.js';
import { chainHash, ledgerGenesis, registryGenesis } from './ledger.js';
import { recordProblem } from './stored-record.js';
import { addHours } from './time.js';

/** A stored timeline row, as text. */
export interface RawTimelineRow {
  seq: number;
  at: unknown;
  kind: unknown;
  actor: unknown;
  /** The AWS identity that wrote it (`TimelineEntry.caller`), where the store keeps one. */
  caller?: unknown;
  /** The detail as stored (JSON text). */
  detail: unknown;
  prevHash: unknown;
  hash: unknown;
}

/** Everything the store holds of one incident, as it holds it. */
export interface RawIncident {
  id: string;
  /**
   * The incident record's bytes, and the columns (attributes) the store keeps beside them.
   * `head`: the ledger head the store keeps beside the record, which its commits chain on
   * (DynamoDB's `ledgerSeq`/`ledgerHash`, and `recordHash`: the hash its ledger recorded for the
   * record, absent on items written before it was kept); held to the ledger, not to the record.
   */
  record: { data: string; columns: Record<string, unknown>; head?: { seq: unknown; hash: unknown; recordHash?: unknown } } | null;
  /** Ledger rows by sequence number. */
  ledger: { seq: number; data: string; prevHash: string; hash: string }[];
  /** Finding rows: those the ledger names, and those that say they belong to this incident. */
  /** `recordHash`: the hash a DynamoDB finding item says its ledger recorded, which a commit holds the item's bytes to (B2). */
  findings: { key: string; incidentId: string; data: string; columns: Record<string, unknown>; recordHash?: unknown }[];
  /** Timeline rows by sequence number (never by where they happen to sit in the file). */
  timeline: RawTimelineRow[];
  /**
   * Outbox rows of this incident; `claimedUntil` is the lease of the sender that claimed it, if any.
   * `pending`: whether the row is where the senders look for messages to send (DynamoDB's pending
   * index); absent where not being marked sent is all it takes (SQLite).
   */
  messages: { id: string; data: string; sentAt: string | null; claimedUntil?: string | null; pending?: boolean }[];
  /**
   * Items of the incident (and its finding records) that an index holds where its readers take them
   * for what they are not (DynamoDB: a record among the messages the senders send, `PENDING#…`; a
   * message among the incidents due, `DUE#…`, or listed, `INCIDENT#…`): the entry, the readers'
   * kind, the index partition. Absent where the store has no such index (SQLite).
   */
  misindexed?: { entry: string; kind: 'pending' | 'due' | 'incident'; partition: string }[];
}

/** One thing the audit found, named by incident and entry. */
export interface AuditProblem {
  incidentId: string;
  /** `ledger 3`, `entry 2` (the timeline), `record`, `finding …`, `message …`, `registry 5/12`. */
  entry: string;
  /** The sequence number, for ledger and timeline entries. */
  seq?: number;
  problem: string;
}

function parse(text: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof text !== 'string') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the ledger says the store should hold now. */
interface Expected {
  incident: { revision: number; hash: string } | null;
  /** The ledger entry that recorded `incident`. */
  incidentSeq: number;
  findings: Map<string, string>;
  timeline: { seq: number; hash: string } | null;
  /**
   * Every timeline head a ledger entry recorded, by the timeline entry's seq: the hash that entry
   * had then (and the ledger entry that said so). The rows are never rewritten, so each still has it.
   */
  timelineHeads: Map<number, { hash: string; ledgerSeq: number }>;
  messages: Map<string, string>;
  sent: Map<string, string>;
}

/**
 * Audits one incident: its ledger chain, then each table against what the ledger says was stored.
 * `findingOwner` tells which incident's ledger vouches for a finding row that moved (a merge).
 */
export function auditIncident(raw: RawIncident, vouchedElsewhere: (findingKey: string, hash: string) => boolean = () => false): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const add = (entry: string, problem: string, seq?: number) => problems.push({ incidentId: raw.id, entry, ...(seq !== undefined ? { seq } : {}), problem });
  const expected = walkLedger(raw, add);
  if (!expected) return problems;

  // The incident record with its legal fields.
  if (!raw.record) {
    add('record', 'the incident record is missing: it was deleted');
  } else {
    const recordHash = sha256(raw.record.data);
    if (expected.incident && recordHash !== expected.incident.hash) {
      add('record', `does not match what the ledger recorded for revision ${expected.incident.revision}: the incident record was edited`);
    }
    const parsed = parse(raw.record.data);
    if (!parsed.ok || !isObject(parsed.value)) add('record', 'is not valid JSON: the incident record is damaged');
    else {
      checkColumns(parsed.value, raw.record.columns, (problem) => add('record', problem));
      // What every command refuses to read (stored-record.ts), named here too: rechained, it matched its ledger and verified.
      const unreadable = recordProblem(parsed.value, raw.id);
      if (unreadable) add('record', `cannot be read as an incident record: ${unreadable}`);
      else {
        checkRecordAgainstTimeline(parsed.value, raw.timeline, (problem) => add('record', problem));
        // The marks of what was announced, against the messages the ledger queued (not the timeline's alone).
        if (raw.timeline.length > 0) checkAnnouncedAgainstQueued(parsed.value, raw.id, expected.messages, raw.timeline, (problem) => add('record', problem));
      }
    }
    if (parsed.ok && isObject(parsed.value) && isObject(parsed.value.timelineHead) && expected.timeline) {
      const head = parsed.value.timelineHead as { seq?: unknown; hash?: unknown };
      if (head.seq !== expected.timeline.seq || head.hash !== expected.timeline.hash) {
        add('record', `its timeline head (entry ${String(head.seq)}) is not the one the ledger recorded (entry ${expected.timeline.seq})`);
      }
    }
  }

  // Findings: every one the ledger wrote is there with the bytes it wrote; no other claims this incident.
  const rows = new Map(raw.findings.map((f) => [f.key, f]));
  for (const [key, hash] of expected.findings) {
    const row = rows.get(key);
    if (!row) add(`finding ${key}`, 'is missing: the finding record was deleted');
    else if (sha256(row.data) !== hash && !vouchedElsewhere(key, sha256(row.data)))
      add(`finding ${key}`, 'does not match what the ledger recorded: the finding (evidence) was edited');
    // Altered alone, it has every next version refused (the bytes not being "those the ledger recorded") while the record verifies.
    if (row && row.recordHash !== undefined && row.recordHash !== hash && !vouchedElsewhere(key, String(row.recordHash)))
      add(
        `finding ${key}`,
        'its recordHash is not the hash the ledger recorded for the record: it was altered; a commit checks the record it writes over by it',
      );
  }
  for (const row of raw.findings) {
    const parsed = parse(row.data);
    if (!parsed.ok || !isObject(parsed.value)) add(`finding ${row.key}`, 'is not valid JSON: the finding record is damaged');
    else checkColumns(parsed.value, row.columns, (problem) => add(`finding ${row.key}`, problem));
  }
  for (const row of raw.findings) {
    if (row.incidentId === raw.id && !expected.findings.has(row.key) && !vouchedElsewhere(row.key, sha256(row.data))) {
      add(`finding ${row.key}`, 'is not in the ledger: the finding record was inserted behind the pipeline');
    }
  }

  if (raw.record?.head) auditHead(raw.record.head, raw.ledger.at(-1), expected, add);
  auditTimeline(raw, expected, add);

  // The outbox: every message queued is there, unchanged, sent when the ledger says and only then.
  const stored = new Map(raw.messages.map((m) => [m.id, m]));
  for (const [id, hash] of expected.messages) {
    const row = stored.get(id);
    if (!row) {
      add(`message ${id}`, 'is missing: the queued message was deleted');
      continue;
    }
    if (sha256(row.data) !== hash) add(`message ${id}`, 'does not match what the ledger recorded: the message was edited');
    const sentAt = expected.sent.get(id) ?? null;
    if (row.sentAt !== sentAt) {
      add(
        `message ${id}`,
        sentAt === null
          ? `is marked sent (${row.sentAt}) but the ledger records no sending: marking a page sent silences it`
          : `was sent at ${sentAt} but is marked ${row.sentAt === null ? 'not sent' : `sent at ${row.sentAt}`}`,
      );
    }
    if (row.pending === false && row.sentAt === null)
      add(`message ${id}`, 'is not sent, and not where the senders look for messages to send: it would never be sent');
    if (row.pending === true && row.sentAt !== null)
      add(`message ${id}`, 'is marked sent, yet still among the messages to send: an index entry the pipeline did not write');
  }
  for (const m of raw.messages) if (!expected.messages.has(m.id)) add(`message ${m.id}`, 'is not in the ledger: the message was inserted behind the pipeline');
  return problems;
}

/**
 * A pending message claimed beyond any sender's lease (`leaseMinutes` past `now`, plus clock skew)
 * could never be sent: no sender may claim it before the lease runs out. A claim is not in the
 * ledger (claiming is not a change to the record), so this is judged by time alone.
 */
export function auditClaims(raw: RawIncident, now: string, leaseMinutes: number, skewMinutes: number, heldMinutes = 3 * leaseMinutes): AuditProblem[] {
  const limit = Date.parse(now) + (leaseMinutes + skewMinutes) * 60_000;
  const queuedBy = Date.parse(now) - heldMinutes * 60_000;
  const problems: AuditProblem[] = [];
  // A message its channel refuses for good is held so on purpose: the record (in the ledger) says so.
  const record = parse(raw.record?.data);
  const refused = record.ok && isObject(record.value) && Array.isArray(record.value.undeliverable) ? record.value.undeliverable : [];
  const never = new Set(refused.map((u) => (isObject(u) ? String(u.messageId) : '')));
  for (const m of raw.messages) {
    if (m.sentAt !== null || !m.claimedUntil || never.has(m.id)) continue;
    const until = Date.parse(m.claimedUntil);
    if (Number.isNaN(until) || until > limit) {
      problems.push({
        incidentId: raw.id,
        entry: `message ${m.id}`,
        problem: `is claimed until ${m.claimedUntil}, beyond any sender's lease (${leaseMinutes} minutes): nobody may send it until then, which silences it`,
      });
    } else if (until > Date.parse(now)) {
      // Claimed within a lease, but long after it was queued (review12 K5): no sender holds a
      // message through several leases; claimed again and again, it is never sent. A sweep trying
      // a page whose delivery keeps failing holds its claim for the try as well: not told apart
      // here, so both are named (the page is not out either way).
      const message = parse(m.data);
      const queued = message.ok && isObject(message.value) && typeof message.value.createdAt === 'string' ? Date.parse(message.value.createdAt) : Number.NaN;
      if (queued <= queuedBy) {
        problems.push({
          incidentId: raw.id,
          entry: `message ${m.id}`,
          problem: `is not sent ${Math.floor((Date.parse(now) - queued) / 60_000)} minutes after it was queued, and is claimed until ${m.claimedUntil}: either its delivery keeps failing, a sender trying it now (the sweep's errors say why), or its claim is renewed behind the pipeline: no sender holds a message longer than a lease (${leaseMinutes} minutes) at a time; claimed again and again, it is never sent`,
        });
      }
    }
  }
  return problems;
}

/** A claim on a resource as the store keeps it: the resource key, and the incident it names as holder. */
export interface ClaimRow {
  resourceKey: string;
  incidentId: string;
}

/**
 * The claims a store keeps on resources (SQLite's `incident_keys`, DynamoDB's resource locks), which
 * decide which incident a finding on a resource joins, against the records the ledger vouches for.
 * A claim is taken and given back in the commit that writes the record listing it, but it is not
 * itself in the ledger: so every claim must name an open incident whose record lists that resource,
 * and every resource an open incident's record lists must be claimed by it. A claim planted behind
 * the pipeline captures or blocks the findings on its resource; one removed lets a finding on it
 * open a second incident beside the first.
 *
 * `ownKeyClaimed`: the store keeps the incident's own resource among its claims (DynamoDB's lock);
 * otherwise only the further ones (`resourceKeys`), the own resource being a column the record's
 * audit checks. `raws`: the incidents read; `only`: audit only the claims of that incident.
 */
export function auditResourceClaims(claims: { rows: ClaimRow[]; ownKeyClaimed: boolean }, raws: Map<string, RawIncident>, only?: string): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const add = (incidentId: string, key: string, problem: string) => problems.push({ incidentId, entry: `claim ${key}`, problem });
  const byKey = new Map(claims.rows.map((r) => [r.resourceKey, r.incidentId]));
  for (const { resourceKey: key, incidentId: id } of claims.rows) {
    if (only && id !== only) continue;
    const raw = raws.get(id);
    const held = claimsOfRecord(raw);
    if (!raw?.record) {
      add(
        id,
        key,
        'names this incident as holder of the resource, but the store holds no such incident record: a claim the pipeline did not write; findings on this resource cannot be recorded',
      );
    } else if (!held) {
      add(id, key, 'names this incident as holder of the resource, but its record cannot be read: the claim cannot be checked');
    } else if (!held.open) {
      add(
        id,
        key,
        'names this incident as holder of the resource, but it is closed and a closed incident holds nothing: a claim the pipeline did not write; findings on this resource cannot open an incident',
      );
    } else if (!held.keys.has(key)) {
      add(
        id,
        key,
        'names this incident as holder of the resource, but its record does not list it: a claim the pipeline did not write; findings on this resource are captured by this incident or refused',
      );
    }
  }
  // One open incident per resource (the store's own claim on SQLite is the row, through a unique
  // partial index that can be emptied of a row without touching it, atk28 F12): two open records
  // holding one resource are a breach's record split, whatever the claims say.
  const holders = new Map<string, string[]>();
  for (const [id, raw] of raws) {
    const held = claimsOfRecord(raw);
    if (held?.open) for (const key of held.keys) holders.set(key, [...(holders.get(key) ?? []), id]);
  }
  for (const [key, ids] of holders) {
    if (ids.length < 2) continue;
    for (const id of ids) {
      if (only && id !== only) continue;
      const others = ids.filter((x) => x !== id);
      add(
        id,
        key,
        `the record lists this resource, as the records of other open incidents do (${others.join(', ')}): open incidents ${[id, ...others].join(' and ')} hold it, where one holds a resource (an index or claim changed behind the pipeline let a finding on it open another); findings on it go to any of them, the breach's record split`,
      );
    }
  }
  for (const [id, raw] of raws) {
    if (only && id !== only) continue;
    const held = claimsOfRecord(raw);
    if (!held?.open) continue;
    for (const key of held.keys) {
      if (!claims.ownKeyClaimed && key === held.own) continue;
      const holder = byKey.get(key);
      if (holder === undefined) {
        add(
          id,
          key,
          'the record lists this resource, but no claim holds it: the claim was removed; a finding on it would open a second incident beside this one',
        );
      } else if (holder !== id) {
        add(id, key, `the record lists this resource, but the claim names incident ${holder}: findings on it go there`);
      }
    }
  }
  return problems;
}

/** The resources an incident's record says it holds; null when there is no readable record. */
function claimsOfRecord(raw: RawIncident | undefined): { open: boolean; own: string; keys: Set<string> } | null {
  const parsed = raw?.record ? parse(raw.record.data) : { ok: false as const };
  if (!parsed.ok || !isObject(parsed.value)) return null;
  const record = parsed.value;
  const own = typeof record.resourceKey === 'string' ? record.resourceKey : '';
  const further = Array.isArray(record.resourceKeys) ? record.resourceKeys.filter((k): k is string => typeof k === 'string') : [];
  return { open: record.state !== 'closed', own, keys: new Set([...(own ? [own] : []), ...further]) };
}

/** Walks the ledger chain on its stored bytes and gathers what it says; null when there is none. */
function walkLedger(raw: RawIncident, add: (entry: string, problem: string, seq?: number) => void): Expected | null {
  if (raw.ledger.length === 0) {
    if (raw.record || raw.timeline.length || raw.messages.length) {
      add('ledger', 'the incident has no ledger: it was not written by the pipeline, or its ledger was deleted');
    }
    return null;
  }
  const expected: Expected = {
    incident: null,
    incidentSeq: 0,
    findings: new Map(),
    timeline: null,
    timelineHeads: new Map(),
    messages: new Map(),
    sent: new Map(),
  };
  // Which ledger entry queued, and which marked sent, each message: a message is queued once and sent once.
  const queuedBy = new Map<string, number>();
  const sentBy = new Map<string, number>();
  const declare = (by: Map<string, number>, id: string, seq: number) => {
    const first = by.get(id);
    if (first === undefined) by.set(id, seq);
    else
      add(
        `ledger ${seq}`,
        by === queuedBy
          ? `declares message ${id} queued again (ledger entry ${first} queued it): a message is queued once; declared anew, the message was rewritten`
          : `declares message ${id} sent again (ledger entry ${first} did): a message is sent once; declared anew, its sending was rewritten`,
        seq,
      );
  };
  let prev = ledgerGenesis(raw.id);
  for (const [i, row] of raw.ledger.entries()) {
    const at = `ledger ${row.seq}`;
    if (row.seq !== i + 1) {
      add(at, `expected ledger entry ${i + 1} here, found ${row.seq}: ledger entries were removed or inserted`, row.seq);
      return expected;
    }
    if (row.prevHash !== prev) add(at, 'does not chain to the entry before it: an entry before it was removed, inserted or changed', row.seq);
    if (chainHash(row.prevHash, row.data) !== row.hash) add(at, 'its content does not match its hash: the ledger entry was edited', row.seq);
    prev = row.hash;
    const parsed = parse(row.data);
    if (!parsed.ok || !isObject(parsed.value)) {
      add(at, 'is not valid JSON: the ledger entry is damaged', row.seq);
      continue;
    }
    const body = parsed.value;
    if (body.incidentId !== raw.id || body.seq !== row.seq) add(at, 'names another incident or position: the ledger entry was moved', row.seq);
    if (isObject(body.incident)) {
      // The record bytes a commit wrote over, as it read them (DynamoDB), must be those the ledger
      // recorded: otherwise it wrote on a record edited behind the pipeline (review12 K1).
      const { replaced } = body.incident;
      if (typeof replaced === 'string' && expected.incident && replaced !== expected.incident.hash) {
        add(
          at,
          `wrote over an incident record that is not the one ledger entry ${expected.incidentSeq} recorded: the record was edited behind the pipeline before this commit, which carried the edit on`,
          row.seq,
        );
      }
      expected.incident = body.incident as Expected['incident'];
      expected.incidentSeq = row.seq;
    }
    if (isObject(body.finding)) {
      // The finding record a commit wrote over, as it read it (DynamoDB), must be the one the ledger
      // recorded (B2). (One that came from another incident's ledger, a merge's, is not known here.)
      const key = String(body.finding.key);
      const before = expected.findings.get(key);
      if (typeof body.finding.replaced === 'string' && before !== undefined && body.finding.replaced !== before) {
        add(
          at,
          `wrote over a record of finding ${key} that is not the one the ledger recorded: the finding (evidence) was edited behind the pipeline before this commit, which carried the edit on`,
          row.seq,
        );
      }
      expected.findings.set(key, String(body.finding.hash));
    }
    for (const f of Array.isArray(body.findings) ? body.findings : []) if (isObject(f)) expected.findings.set(String(f.key), String(f.hash));
    for (const m of Array.isArray(body.sentMessages) ? body.sentMessages : []) {
      if (!isObject(m)) continue;
      declare(sentBy, String(m.id), row.seq);
      expected.sent.set(String(m.id), String(m.at));
    }
    if (isObject(body.timeline)) {
      expected.timeline = body.timeline as Expected['timeline'];
      const seq = Number(body.timeline.seq);
      const before = expected.timelineHeads.get(seq);
      if (!before) expected.timelineHeads.set(seq, { hash: String(body.timeline.hash), ledgerSeq: row.seq });
      else if (before.hash !== body.timeline.hash)
        add(at, `records timeline entry ${seq} with another hash than ledger entry ${before.ledgerSeq} did: the timeline was rewritten`, row.seq);
    }
    for (const m of Array.isArray(body.messages) ? body.messages : []) {
      if (!isObject(m)) continue;
      declare(queuedBy, String(m.id), row.seq);
      expected.messages.set(String(m.id), String(m.hash));
    }
    if (isObject(body.sent)) {
      declare(sentBy, String(body.sent.id), row.seq);
      expected.sent.set(String(body.sent.id), String(body.sent.at));
    }
  }
  return expected;
}

/**
 * The ledger head a store keeps beside the record (DynamoDB's item attributes) against the ledger:
 * every commit takes its head from there and puts its entry after it, conditioned on it. Moved back
 * one entry, every later commit was refused for good while verify, which the refusal points to,
 * found nothing (review12 K3); moved on, or with a hash not the entry's, the next commit writes an
 * entry that chains to nothing.
 */
function auditHead(
  head: NonNullable<NonNullable<RawIncident['record']>['head']>,
  last: RawIncident['ledger'][number] | undefined,
  expected: Expected,
  add: (entry: string, problem: string, seq?: number) => void,
): void {
  if (last && (head.seq !== last.seq || head.hash !== last.hash)) {
    add(
      'record',
      head.seq === last.seq
        ? `its ledger head names entry ${last.seq} with another hash than that entry's: it was altered, and every commit on this incident is refused (or chains to nothing) until it is put right`
        : `its ledger head names entry ${String(head.seq)}, but the ledger ends at entry ${last.seq}: it was altered, and every commit on this incident is refused (or chains to nothing) until it is put right`,
    );
  }
  if (head.recordHash !== undefined && expected.incident && head.recordHash !== expected.incident.hash) {
    add(
      'record',
      `its recordHash is not the hash ledger entry ${expected.incidentSeq} recorded for the record: it was altered; a commit checks the record it writes over by it`,
    );
  }
}

/** The timeline's own hash chain, read from the stored text, and its head against the ledger's. */
function auditTimeline(raw: RawIncident, expected: Expected, add: (entry: string, problem: string, seq?: number) => void): void {
  const record = raw.record ? parse(raw.record.data) : { ok: false as const };
  const firstFinding = record.ok && isObject(record.value) ? (record.value.firstFinding as Parameters<typeof genesisHash>[1] | undefined) : undefined;
  let prev = firstFinding ? genesisHash(raw.id, firstFinding) : null;
  let expectedSeq = 1;
  for (const row of raw.timeline) {
    const at = `entry ${row.seq}`;
    if (row.seq !== expectedSeq) {
      add(at, `expected entry ${expectedSeq} here, found entry ${row.seq}: an entry was removed, inserted or reordered`, row.seq);
      return;
    }
    if (prev !== null && row.prevHash !== prev) add(at, 'does not chain to the entry before it: an entry before it was removed, inserted or changed', row.seq);
    const detail = parse(row.detail);
    if (!detail.ok || !isObject(detail.value)) {
      add(at, 'its detail is not valid JSON: the entry is damaged', row.seq);
    } else {
      const fields = {
        incidentId: raw.id,
        seq: row.seq,
        at: row.at,
        kind: row.kind,
        actor: row.actor,
        caller: row.caller,
        detail: detail.value,
        prevHash: row.prevHash,
      };
      if (entryHash(fields as Parameters<typeof entryHash>[0]) !== row.hash) add(at, 'its content does not match its hash: the entry was edited', row.seq);
    }
    prev = typeof row.hash === 'string' ? row.hash : null;
    expectedSeq += 1;
  }
  const last = expectedSeq - 1;
  // Each head an earlier ledger entry recorded pins the rows up to it (review12 K2: history a digest
  // anchored, rewritten with its chain recomputed and one ledger entry appended, compared with the
  // last head only, passed). Heads past the rows' end are judged below, with what is missing or added.
  for (const [seq, head] of expected.timelineHeads) {
    // The last head the ledger recorded is judged below too.
    if (seq > last || (seq === expected.timeline?.seq && head.hash === expected.timeline.hash)) continue;
    const row = raw.timeline[seq - 1];
    if (row && row.hash !== head.hash) {
      add(`entry ${seq}`, `is not the entry ledger entry ${head.ledgerSeq} recorded as the timeline's head: the timeline was rewritten`, seq);
    }
  }
  if (expected.timeline && (expected.timeline.seq !== last || (last > 0 && raw.timeline[last - 1]?.hash !== expected.timeline.hash))) {
    if (expected.timeline.seq > last) {
      add(
        `entry ${last + 1}`,
        `the ledger records ${expected.timeline.seq} entries but the timeline ends at ${last}: entries were removed from the end`,
        last + 1,
      );
    } else if (expected.timeline.seq < last) {
      add(
        `entry ${expected.timeline.seq + 1}`,
        `the ledger records ${expected.timeline.seq} entries: this one was inserted after them`,
        expected.timeline.seq + 1,
      );
    } else {
      add(`entry ${last}`, 'is not the entry the ledger recorded: the timeline was rewritten', last);
    }
  }
}

/**
 * The columns (attributes) a store keeps beside the record so it can find it (the sweep reads
 * `nextDueAt`, status reads `state`) must say what the record says: a `next_due_at` set to NULL
 * would silence every reminder of that incident. A closed incident's too: both stores index the
 * due time its record holds, and a closed record holds one only while something is still owed (a
 * containment outcome not yet told, a report or decision after closing, a follow-up), which the
 * audit cannot judge better than the record did.
 *
 * A column is named by the record's field it holds (`version.count`: a field inside the record),
 * and may say after a space which of the store's entries holds it (`detectedAt (listing)`, beside
 * the plain `detectedAt`).
 */
function checkColumns(record: Record<string, unknown>, columns: Record<string, unknown>, add: (problem: string) => void): void {
  for (const [column, value] of Object.entries(columns)) {
    let field: unknown = record;
    for (const part of column.split(' ')[0].split('.')) field = isObject(field) ? field[part] : undefined;
    if ((field ?? null) !== (value ?? null)) add(`the column ${column} (${JSON.stringify(value)}) does not match the record: it was altered`);
  }
}

/** The timeline entries that give the moment of awareness the AP clock runs from. */
const AWARENESS_ENTRIES = new Set(['incident-opened', 'incident-opened-by-hand', 'detection-moved-earlier', 'awareness-set']);
/** The entries that close an incident (`close`, a merge into another) and that acknowledge one (a person, or opening it by hand). */
const CLOSING_ENTRIES = new Set(['closed', 'merged-into']);
const ACKNOWLEDGING_ENTRIES = new Set(['acknowledged', 'incident-opened-by-hand']);

/**
 * The legal state the record holds must be the one its timeline gives (red28). Every change of the
 * awareness writes an entry that names it (the opening, by hand or from a finding; an earlier
 * detection; a person's move, `to`; the facts entry that lets it follow the detection, in
 * `awarenessFollowsDetection`), and the deadline is that moment plus the hours the record counts;
 * an incident is closed only by an entry that closes it, and acknowledged only by one that
 * acknowledges it. The ledger alone cannot tell: a record edited behind the pipeline and declared
 * by one ledger entry appended after the last digest's head (nothing anchored rewritten) hashes
 * true, and the next anchor would sign a deadline moved, or a page silenced by a closing or an
 * acknowledgement, with no decision, reason or person in the timeline.
 */
function checkRecordAgainstTimeline(record: Record<string, unknown>, timeline: RawTimelineRow[], add: (problem: string) => void): void {
  let given: { awareAt: string | null; seq: number } | null = null;
  let closing = false;
  let acknowledging = false;
  for (const row of timeline) {
    const kind = String(row.kind);
    closing ||= CLOSING_ENTRIES.has(kind);
    acknowledging ||= ACKNOWLEDGING_ENTRIES.has(kind);
    const known = AWARENESS_ENTRIES.has(kind);
    if (typeof row.detail !== 'string' || (!known && !row.detail.includes('"awarenessFollowsDetection"'))) continue;
    const detail = parse(row.detail);
    if (!detail.ok || !isObject(detail.value)) continue;
    const d = detail.value;
    let aware: unknown;
    if (isObject(d.awarenessFollowsDetection)) aware = d.awarenessFollowsDetection.to;
    else if (kind === 'awareness-set') aware = d.to;
    else if (known) aware = d.awareAt;
    if (aware === null || typeof aware === 'string') given = { awareAt: aware, seq: row.seq };
  }
  const awareAt = typeof record.awareAt === 'string' ? record.awareAt : null;
  if (given && awareAt !== given.awareAt) {
    add(
      `its awareness ${awareAt ?? '(none)'} is not the one its timeline gives ${given.awareAt ?? '(none)'} (entry ${given.seq}): the AP clock was moved behind the pipeline, with no entry saying who moved it or why`,
    );
  }
  const hours = record.deadlineHours;
  if (awareAt !== null && typeof hours === 'number' && Number.isFinite(hours) && record.deadline !== addHours(awareAt, hours)) {
    add(
      `its AP deadline ${String(record.deadline ?? '(none)')} is not its awareness ${awareAt} plus the ${hours} hours it counts: the deadline was moved behind the pipeline`,
    );
  }
  if (record.state === 'closed' && !closing && timeline.length > 0) {
    add('it is closed, but its timeline records no closing: it was closed behind the pipeline, which ends its reminders and pages');
  }
  if ((record.acknowledgedBy || record.acknowledgedAt) && !acknowledging && timeline.length > 0) {
    add('it is acknowledged, but its timeline records no acknowledgement: it was acknowledged behind the pipeline, which ends its escalation');
  }
  if (timeline.length > 0) {
    checkDecisionsAgainstTimeline(record, timeline, add);
    checkFactsAgainstTimeline(record, timeline, add);
    checkContainmentAgainstTimeline(record, timeline, add);
    checkFirstActivityAgainstTimeline(record, timeline, add);
    checkAnnouncedAgainstTimeline(record, timeline, add);
    checkReminderTracksAgainstTimeline(record, timeline, add);
    checkLawFieldsAgainstTimeline(record, timeline, add);
    checkOpsFieldsAgainstTimeline(record, timeline, add);
    checkReleasedAsDeletedAgainstTimeline(record, timeline, add);
  }
}

/** What of a report the register and the AP verdict read: to whom, which kind, the AP's reference and when it was made. */
function reportKey(r: Record<string, unknown>): string {
  return `${String(r.to ?? 'ap')} ${String(r.kind)} ${String(r.reference)} at ${String(r.at)}`;
}

/** What of an assessment the AP clock reads: personal data, risk, and so whether it is notifiable. */
const ASSESSED = ['personalData', 'risk', 'notifiable'];
function assessmentKey(a: Record<string, unknown>): string {
  return ASSESSED.map((field) => `${field} ${String(a[field])}`).join(', ');
}

/**
 * The decisions on informing (Art. 34; the subscribers', Regulation 611/2013 art. 3): each is given
 * by its entry, and set aside (to none) by an assessment or facts entry that names it set aside.
 */
const INFORMING = [
  { field: 'subjects', decided: 'subjects-decided', setAside: 'subjectsDecisionSetAside' },
  { field: 'subscribers', decided: 'subscribers-decided', setAside: 'subscribersDecisionSetAside' },
] as const;

/** What of a decision on informing the clocks and closing read: the decision, its exception and the date they were told. */
function informingKey(d: Record<string, unknown>): string {
  return `${String(d.decision)} ${String(d.exception ?? 'no exception')} ${String(d.date ?? 'no date')}`;
}

/**
 * The FG's decisions the record holds must be those its timeline records (red28, after the clock):
 * each report on the record is the detail of its own 'reported' entry, in order (the 'reported'
 * entry carries the whole report, and nothing else adds one: a merge refuses an incident with
 * anything the FG recorded), and the assessment in force is the last 'assessed' entry's. A report
 * made up on the record reads "met" in the register and stops the AP clock; an assessment made
 * "not notifiable" stops its reminders; both, declared by one appended ledger entry, hashed true.
 */
function checkDecisionsAgainstTimeline(record: Record<string, unknown>, timeline: RawTimelineRow[], add: (problem: string) => void): void {
  const reported: Record<string, unknown>[] = [];
  let assessed: string | null = null;
  const informing: Record<string, string | null> = { subjects: null, subscribers: null };
  for (const row of timeline) {
    const audience = INFORMING.find((a) => row.kind === a.decided || (typeof row.detail === 'string' && row.detail.includes(`"${a.setAside}"`)));
    if ((row.kind !== 'reported' && row.kind !== 'assessed' && !audience) || typeof row.detail !== 'string') continue;
    const detail = parse(row.detail);
    const d = detail.ok && isObject(detail.value) ? detail.value : {};
    if (row.kind === 'reported') {
      // The entry holds the whole report, and whether it was late (`late`), which the record does not keep.
      const { late: _late, ...report } = d;
      reported.push(report);
    } else if (row.kind === 'assessed') assessed = assessmentKey(d);
    for (const a of INFORMING) {
      if (row.kind === a.decided) informing[a.field] = informingKey(d);
      else if (isObject(d[a.setAside])) informing[a.field] = null;
    }
  }
  for (const a of INFORMING) {
    const held = record[a.field];
    if (isObject(held) && informingKey(held) !== informing[a.field]) {
      add(
        `its decision on informing the ${a.field} (${informingKey(held)}) is not the one its timeline gives (${informing[a.field] ?? 'none'}): it was changed behind the pipeline, with no entry saying who decided it or why`,
      );
    }
  }
  const reports = Array.isArray(record.reports) ? record.reports : [];
  const pseudonymKey = typeof record.pseudonymKey === 'string' ? record.pseudonymKey : undefined;
  reports.forEach((r, i) => {
    const key = isObject(r) ? reportKey(r) : String(r);
    const entry = reported[i];
    if (!entry || reportKey(entry) !== key) {
      add(
        `its report ${i + 1} (${key}) is not one its timeline records: it was added or changed behind the pipeline, and the register and the AP clock read it as made`,
      );
      return;
    }
    // Every other field too (the reasons for a delay, the facts it carried, when it was entered): the
    // register, the draft's "not yet with the AP" and the verdicts read them. Named by field alone.
    const held = withOwnPseudonyms(pseudonymKey, r as Record<string, unknown>);
    const differ = [...new Set([...Object.keys(held), ...Object.keys(entry)])]
      .filter((f) => canonicalJson(held[f] ?? null) !== canonicalJson(entry[f] ?? null))
      .sort();
    if (differ.length) {
      add(
        `its report ${i + 1} (${key}) differs from its 'reported' entry in ${differ.join(', ')}: it was changed behind the pipeline, and the register and the AP draft read it so`,
      );
    }
  });
  if (reported.length > reports.length) {
    add(`its timeline records ${reported.length} reports, the record holds ${reports.length}: a report was taken out behind the pipeline`);
  }
  if (record.state === 'reported' && !apNotificationInForce(reported)) {
    add(
      'it is reported, but its timeline records no initial report to the AP in force: it was marked reported behind the pipeline, which status, the register and the reminders read as notified',
    );
  }
  if (isObject(record.assessment)) {
    const key = assessmentKey(record.assessment);
    if (key !== assessed) {
      add(
        `its assessment (${key}) is not the one its timeline gives (${assessed ?? 'none'}): it was changed behind the pipeline, with no entry saying who assessed it or why`,
      );
    }
  } else if (assessed !== null) {
    add(
      `it holds no assessment, but its timeline gives one (${assessed}): it was taken out behind the pipeline, and the AP clock and the reminders read the incident as never assessed`,
    );
  }
}

/** Whether the reports hold an initial AP notification no withdrawal followed (incident.ts initialReport, as `reported` sets the state). */
function apNotificationInForce(reports: Record<string, unknown>[]): boolean {
  const ap = reports.filter((r) => (r.to ?? 'ap') === 'ap');
  const i = ap.findLastIndex((r) => r.kind === 'initial');
  return i >= 0 && !ap.slice(i + 1).some((r) => r.kind === 'withdrawal');
}

/** A registry shard's chain, as stored. */
export type RegistryRows = { shard: number; n: number; data: string; prevHash: string; hash: string }[];

/**
 * Audits the registry: each shard's chain on its stored bytes, and its incidents against those in
 * the store: one the registry names but the store lacks was deleted; one the store has but no
 * registry names was inserted behind the pipeline.
 */
export function auditRegistry(shards: RegistryRows[], present: Set<string>): { problems: AuditProblem[]; registered: Set<string> } {
  const problems: AuditProblem[] = [];
  const registered = new Set<string>();
  for (const [shard, rows] of shards.entries()) {
    let prev = registryGenesis(shard);
    for (const [i, row] of rows.entries()) {
      const entry = `registry ${shard}/${row.n}`;
      const parsed = parse(row.data);
      const incidentId = parsed.ok && isObject(parsed.value) && typeof parsed.value.incidentId === 'string' ? parsed.value.incidentId : '(unreadable)';
      if (row.n !== i + 1) {
        problems.push({ incidentId, entry, problem: `expected registry entry ${i + 1} here: entries of the registry were removed or inserted` });
        break;
      }
      if (row.prevHash !== prev || chainHash(row.prevHash, row.data) !== row.hash) {
        problems.push({ incidentId, entry, problem: 'the registry entry was edited, or one before it removed or changed' });
      }
      prev = row.hash;
      // An incident id is registered once, when the incident is created: a second entry means it
      // was created again, which the pipeline does only when the first is no longer there.
      if (registered.has(incidentId) && incidentId !== '(unreadable)') {
        problems.push({
          incidentId,
          entry,
          problem:
            'the registry names this incident twice: it was deleted and opened again under the same id (its finding arrived again); what it recorded before is gone',
        });
      }
      registered.add(incidentId);
    }
  }
  for (const id of registered) {
    if (id !== '(unreadable)' && !present.has(id))
      problems.push({
        incidentId: id,
        entry: 'registry',
        problem: 'the registry names this incident but the store does not hold it: the incident was deleted',
      });
  }
  for (const id of present)
    if (!registered.has(id))
      problems.push({ incidentId: id, entry: 'registry', problem: 'no registry names this incident: it was inserted behind the pipeline' });
  return { problems, registered };
}

/** The registry heads as anchored: per shard, how many entries and the last hash. */
export function registryHeads(shards: RegistryRows[]): { seq: number; hash: string }[] {
  return shards.map((rows, shard) =>
    rows.length ? { seq: rows[rows.length - 1].n, hash: rows[rows.length - 1].hash } : { seq: 0, hash: registryGenesis(shard) },
  );
}

/**
 * The finding records a ledger wrote, each with the hash it last wrote: the adapters read these
 * rows back by key (a finding record may have moved to the incident it was merged into).
 */
export function findingWrites(ledger: RawIncident['ledger']): Map<string, string> {
  const last = new Map<string, string>();
  for (const row of ledger) for (const [key, hash] of findingsWrittenBy(row.data)) last.set(key, hash);
  return last;
}

/** The findings one ledger entry's bytes say it wrote, as key and hash (none when it does not parse). */
export function findingsWrittenBy(data: string): Map<string, string> {
  const written = new Map<string, string>();
  const parsed = parse(data);
  if (!parsed.ok || !isObject(parsed.value)) return written; // a damaged entry is reported by the audit
  const body = parsed.value;
  for (const f of [body.finding, ...(Array.isArray(body.findings) ? body.findings : [])]) if (isObject(f)) written.set(String(f.key), String(f.hash));
  return written;
}

/** The `at` of a ledger entry's stored text when it queued the message `messageId`; null otherwise (or damaged: the audit reports it). */
export function queuedAtIn(data: string, messageId: string): string | null {
  const parsed = parse(data);
  if (!parsed.ok || !isObject(parsed.value)) return null;
  const { at, messages } = parsed.value;
  const queued = Array.isArray(messages) && messages.some((m) => isObject(m) && m.id === messageId);
  return queued && typeof at === 'string' ? at : null;
}

/** How many times the audit reads a store before it reports what does not audit. */
export const AUDIT_READS = 3;

/**
 * Reads and audits with `read`, again while it finds problems, at most AUDIT_READS times; the last
 * reading is the answer. A store whose reads are not one snapshot (DynamoDB: each query and batch
 * read on its own, and a query sees a transaction's items one by one) shows a write in flight
 * between two reads as tampering: an incident the registry names but the list of incidents did
 * not yet hold, a ledger entry without the record it belongs to. On AWS the anchor runs beside the
 * pipeline's writes, so in a storm it would refuse to anchor. Tampering stays when read again; a
 * write in flight has landed by then. (The embedded store reads one snapshot, and reads the same
 * problems again.)
 */
export async function readAgainWhileProblems<T extends { problems: AuditProblem[] }>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const reading = await read();
    if (reading.problems.length === 0 || attempt >= AUDIT_READS) return reading;
  }
}

/** A stable, readable line for a problem (`datalek verify` prints one per problem). */
export function describeProblem(p: AuditProblem): string {
  return `incident ${p.incidentId}, ${p.entry}: ${p.problem}`;
}
