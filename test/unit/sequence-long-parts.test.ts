/**
 * review7 Y7: K5 bounds what becomes part of a store key, but bounded every `name` and `uid` of an
 * attack sequence's resources, so a critical sequence naming one S3 object whose key is over 512
 * bytes (S3 allows 1,024, and whoever writes to the bucket chooses it) was rejected whole: no
 * incident, no AP clock, no containment. The object's key never becomes a key: the id kept for an
 * S3_OBJECT is its bucket. Only the id computed (and the account and region beside it) is bounded,
 * and a sequence resource whose id, account or region is too long is left out of the incident's
 * list and counted there as not listed, never the reason the finding is lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { correlationKeys, parseEvent } from '../../handlers/core/finding.js';
import { MAX_ID_BYTES } from '../../handlers/core/finding-resources.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { ACCOUNT, credentialSequenceEvent, REGION, sequenceDetection } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T00:00:00.000Z';

/** An object key of `bytes` bytes, the length of a deep data-lake path (S3 takes up to 1,024). */
function objectKey(bytes: number): string {
  const key = `exports/${'afdeling-personeelszaken-salarisadministratie/'.repeat(30)}`.slice(0, bytes - 'loonstroken.csv'.length);
  return `${key}loonstroken.csv`;
}

/** `sequenceDetection()` with `more` sequence resources after its own. */
function sequenceNamingDetection(...more: Record<string, unknown>[]) {
  const detection = sequenceDetection();
  (detection.sequence.resources as unknown[]).push(...more);
  return detection;
}

/** `credentialSequenceEvent()` naming `more` sequence resources too. */
function sequenceNaming(...more: Record<string, unknown>[]) {
  return credentialSequenceEvent({ detection: sequenceNamingDetection(...more) });
}

function s3Object(bucket: string, key: string): Record<string, unknown> {
  return { uid: `arn:aws:s3:::${bucket}/${key}`, name: key, accountId: ACCOUNT, resourceType: 'S3_OBJECT', region: REGION, service: 'Amazon S3' };
}

function parsedFinding(event: unknown) {
  const parsed = parseEvent(event, { now: NOW });
  if (parsed.kind !== 'finding') throw new Error(`parsed as ${parsed.kind}`);
  return parsed.finding;
}

describe('an attack sequence naming a part too long for a key', () => {
  const key = objectKey(1_000);

  it('takes an S3 object with a key of 1,000 bytes: the bucket is what it names', () => {
    expect(Buffer.byteLength(key)).toBe(1_000);
    const finding = parsedFinding(sequenceNaming(s3Object('hr-salarisadministratie', key)));
    expect(finding.related).toContainEqual({ kind: 's3-bucket', resourceType: 'S3_OBJECT', id: 'hr-salarisadministratie', accountId: ACCOUNT, region: REGION });
    expect(finding.sequence?.notListed ?? 0).toBe(0);
    expect(correlationKeys(finding).some((k) => k.includes('loonstroken'))).toBe(false);
  });

  it('leaves out a resource whose id is too long, counts it, and keeps the rest', () => {
    const longInstance = `i-${'a'.repeat(MAX_ID_BYTES)}`;
    const longAccount = { uid: 'i-0fine', name: 'i-0fine', accountId: '1'.repeat(MAX_ID_BYTES + 1), resourceType: 'EC2_INSTANCE', region: REGION };
    const finding = parsedFinding(
      sequenceNaming({ uid: longInstance, name: longInstance, accountId: ACCOUNT, resourceType: 'EC2_INSTANCE', region: REGION }, longAccount),
    );
    expect(finding.sequence?.notListed).toBe(2);
    expect(finding.related.map((r) => r.id)).toEqual(expect.arrayContaining(['i-0123456789abcdef0', 'klantdata', 'prod-eks']));
    expect(finding.related.some((r) => r.id === longInstance || r.id === 'i-0fine')).toBe(false);
    expect(correlationKeys(finding).every((k) => Buffer.byteLength(k) < 2 * MAX_ID_BYTES)).toBe(true);
  });
});

describe('recorded', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  const record = (event: unknown) => recordEvent({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false }, event);

  it('opens the critical incident for a sequence naming an object with a key of 1,000 bytes', async () => {
    const r = await record(sequenceNaming(s3Object('datalake-ruw', objectKey(1_000))));
    expect(r.outcome).toBe('opened');
    const incident = (await t.store.getIncident(r.incidentId as string)) as Incident;
    expect(incident.severity).toBeGreaterThanOrEqual(9);
    expect(incident.deadline).not.toBeNull();
    expect(incident.resources?.some((x) => x.kind === 's3-bucket' && x.id === 'datalake-ruw')).toBe(true);
    expect(incident.resourcesNotListed ?? 0).toBe(0);
  });

  it('counts a sequence resource left out as not listed on the incident, when it opens and when it joins', async () => {
    const longInstance = `i-${'a'.repeat(MAX_ID_BYTES)}`;
    const tooLong = { uid: longInstance, name: longInstance, accountId: ACCOUNT, resourceType: 'EC2_INSTANCE', region: REGION };
    const opened = await record(sequenceNaming(tooLong));
    expect(opened.outcome).toBe('opened');
    const incident = (await t.store.getIncident(opened.incidentId as string)) as Incident;
    expect(incident.resourcesNotListed).toBe(1);
    expect(JSON.stringify(incident.resources)).not.toContain('aaaaaaaaaa');

    const joined = await record(credentialSequenceEvent({ id: 'seq-finding-2', detection: sequenceNamingDetection(tooLong) }));
    expect(joined.incidentId).toBe(opened.incidentId);
    expect(((await t.store.getIncident(opened.incidentId as string)) as Incident).resourcesNotListed).toBe(2);
  });
});
