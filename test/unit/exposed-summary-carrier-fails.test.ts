/**
 * The sweep's summary of the exposed pages it does not repeat one by one is queued with one of the
 * incidents it names (its carrier), and the stale ones are marked as named in it (review7 Z1).
 * Those marks were committed in each incident's own commit whether or not the carrier's commit
 * went through: when it failed (a throttled transaction, a record past its size bound), the others'
 * timelines named a page never queued, their first repeat was taken as announced, and nobody was
 * paged. The summary is now committed first, by the first incident it names that can take it; the
 * stale ones are marked only after that, and when none can take it they stay due for the next sweep.
 */
import { afterEach, expect, it } from 'vitest';
import { StoreError } from '../../handlers/core/errors.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { IncidentChange, IncidentStore } from '../../handlers/ports/incident-store.js';
import { exposedFleet, FLEET_AT, ISOLATE_ON_SNS } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const T = FLEET_AT;
const SNS = ISOLATE_ON_SNS;
/** Long after the interfaces were left open: every first repeat is stale. */
const LATER = 30 * 24 * 60;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

/** Three incidents, each with an interface left open at minute 10 and never repeated since. */
async function staleFleet() {
  const f = tempSqliteStore();
  cleanups.push(f.cleanup);
  const ids = await exposedFleet(f.store, 3, 'z1');
  /** The store, with the commits that queue a summary carried by an incident in `refuse` failing. */
  const refusing = (refuse: (carrier: string) => boolean): IncidentStore =>
    new Proxy(f.store, {
      get(target, prop, receiver) {
        if (prop === 'commit')
          return async (change: IncidentChange) => {
            if (change.messages.some((m) => m.id.includes('exposed-summary') && refuse(change.incident.id))) throw new StoreError('throttled (test)');
            return target.commit(change);
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  const summaries = async () => {
    const all: OutboxMessage[] = [];
    for (const id of ids) all.push(...(await f.store.listMessages(id)));
    return all.filter((m) => m.id.includes('exposed-summary'));
  };
  /** The timeline entries, at minute `m`, that say the incident was named in a summary page. */
  const claims = async (m: number) => {
    const found: { id: string; messageId: unknown }[] = [];
    for (const id of ids)
      for (const e of await f.store.getTimeline(id))
        if (e.at === T(m) && typeof e.detail.reason === 'string' && e.detail.reason.includes("sweep's summary page instead"))
          found.push({ id, messageId: e.detail.messageId });
    return found;
  };
  return { ...f, ids, refusing, summaries, claims };
}

it('when no incident can carry the summary, none is marked as named in it, and the next sweep pages them', async () => {
  const f = await staleFleet();
  const result = await sweep({ store: f.refusing(() => true), policy: SNS, now: () => T(LATER) });
  expect(await f.summaries()).toEqual([]);
  expect(await f.claims(LATER)).toEqual([]);
  // The failure is reported (the sweep exits non-zero / logs it), naming that nobody was paged.
  expect(result.failed).toHaveLength(1);
  expect(result.failed[0].error).toContain('could not be queued');
  // Still due: the next sweep, on a store that works, pages them in a summary.
  await sweep({ store: f.store, policy: SNS, now: () => T(LATER + 1) });
  const [summary, ...more] = await f.summaries();
  expect(more).toEqual([]);
  for (const id of f.ids) expect(summary.body).toContain(id);
  const claims = await f.claims(LATER + 1);
  expect(claims.map((c) => c.id).sort()).toEqual([...f.ids].sort());
  for (const c of claims) expect(c.messageId).toBe(summary.id);
});

it('when the first carrier fails, the next incident it names carries the summary, and the others name that one', async () => {
  const f = await staleFleet();
  let first: string | null = null;
  const result = await sweep({
    store: f.refusing((carrier) => {
      first ??= carrier;
      return carrier === first;
    }),
    policy: SNS,
    now: () => T(LATER),
  });
  expect(result.failed).toEqual([]);
  const [summary, ...more] = await f.summaries();
  expect(more).toEqual([]);
  expect(summary.incidentId).not.toBe(first);
  for (const id of f.ids) expect(summary.body).toContain(id);
  // The first carrier was committed without the summary, named in it like the others.
  const claims = await f.claims(LATER);
  expect(claims.map((c) => c.id).sort()).toEqual([...f.ids].sort());
  for (const c of claims) expect(c.messageId).toBe(summary.id);
});
