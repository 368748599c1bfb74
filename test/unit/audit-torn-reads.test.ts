/**
 * A store whose reads are not one snapshot (DynamoDB: each query and batch read on its own, a
 * transaction seen half by a query) shows a write in flight as tampering: the list of incidents
 * read before an incident opened, the registry after it. On AWS the anchor runs every five minutes
 * beside the pipeline's writes, so in a storm it would refuse to anchor and page. What tampering
 * there is stays when read again; a write in flight does not.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DigestFolder } from '../../handlers/adapters/local/digest-folder.js';
import { pemSigner } from '../../handlers/adapters/local/pem-keys.js';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { anchorStore } from '../../handlers/core/anchor.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import type { AuditSource } from '../../handlers/ports/audit-source.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import { digestKeys } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';

/**
 * The store, read as DynamoDB may read it: the first `torn` lists of incidents miss `hidden`, which
 * the registry (read after) already names.
 */
function tornSource(store: SqliteIncidentStore, hidden: string, torn: number): AuditSource & { listsRead: () => number } {
  let lists = 0;
  return new Proxy(store, {
    get(target, key) {
      if (key === 'listsRead') return () => lists;
      if (key === 'incidentIds') {
        return async () => {
          lists += 1;
          const ids = await target.incidentIds();
          return lists <= torn ? ids.filter((id) => id !== hidden) : ids;
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as AuditSource & { listsRead: () => number };
}

describe('reads that are not one snapshot', () => {
  let store: SqliteIncidentStore;
  let dir: string;
  let cleanup: () => Promise<void>;
  let newest: string;
  beforeEach(async () => {
    ({ store, dir, cleanup } = tempSqliteStore());
    const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
    await recordEvent(deps, findingEvent({ id: 'torn-1', instanceId: 'i-torn-1' }));
    newest = (await recordEvent(deps, findingEvent({ id: 'torn-2', instanceId: 'i-torn-2' }))).incidentId as string;
  });
  afterEach(async () => cleanup());

  const anchor = (source: AuditSource) => {
    const keys = digestKeys(dir);
    return anchorStore({ source, signer: pemSigner(keys.private), digests: new DigestFolder(join(dir, 'digests')), now: () => NOW });
  };

  it('anchor reads again an incident opened between its reads, and anchors', async () => {
    const source = tornSource(store, newest, 1);
    const result = await anchor(source);
    expect(result.problems).toEqual([]);
    expect(result.written?.incidents.map(([id]) => id)).toContain(newest);
    expect(source.listsRead()).toBe(2);
  });

  it('verify reads again an incident opened between its reads, and passes', async () => {
    const source = tornSource(store, newest, 1);
    const result = await verifyStore(source, { now: NOW });
    expect(result.problems).toEqual([]);
    expect(result.checked).toBe(2);
  });

  it('what stays when read again is reported, by verify and anchor alike: reading again hides no tampering', async () => {
    const verified = await verifyStore(tornSource(store, newest, Number.POSITIVE_INFINITY), { now: NOW });
    expect(verified.problems.map((p) => [p.incidentId, p.problem])).toEqual([
      [newest, 'the registry names this incident but the store does not hold it: the incident was deleted'],
    ]);
    const source = tornSource(store, newest, Number.POSITIVE_INFINITY);
    const anchored = await anchor(source);
    // Left out of the digest (review13 K3): the others are signed all the same.
    expect(anchored.written?.incidents.map(([id]) => id)).not.toContain(newest);
    expect(anchored.leftOut).toEqual([newest]);
    expect(anchored.problems.map((p) => p.incidentId)).toEqual([newest]);
    expect(source.listsRead()).toBe(3);
  });
});
