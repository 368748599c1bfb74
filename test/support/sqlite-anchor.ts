/**
 * An embedded store anchored in-process, each act opening it afresh as each `datalek` process does:
 * for the tests of what the anchor pins and lists while an incident is left out.
 */
import { join } from 'node:path';
import { DigestFolder } from '../../handlers/adapters/local/digest-folder.js';
import { pemSigner } from '../../handlers/adapters/local/pem-keys.js';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { anchorStore } from '../../handlers/core/anchor.js';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from './events.js';
import { digestKeys } from './tamper.js';

/** The store at `dir`, opened afresh for each act as each process does, its anchor, and incidents opened in it. */
export function storeAt(dir: string, now: string) {
  const keys = digestKeys(dir);
  const digests = new DigestFolder(join(dir, 'digests'));
  /** One process: the store opened, `act` on it, closed. */
  const process = async <T>(act: (store: SqliteIncidentStore) => Promise<T>): Promise<T> => {
    const store = new SqliteIncidentStore(dir);
    try {
      return await act(store);
    } finally {
      await store.close();
    }
  };
  const anchor = (maxHeads?: number, maxBroken?: number) =>
    process((store) => anchorStore({ source: store, signer: pemSigner(keys.private), digests, now: () => now, maxHeads, maxBroken }));
  const deps = (store: SqliteIncidentStore) => ({ store, policy: DEFAULT_POLICY, now: () => now });
  const open = (name: string) =>
    process(
      async (store) =>
        (
          await recordEvent(
            { ...deps(store), canEnforce: false },
            findingEvent({ id: name, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-${name.replaceAll('-', '')}` }),
          )
        ).incidentId as string,
    );
  const facts = (incidentId: string) =>
    process((store) => recordFacts(deps(store), { incidentId, by: 'FG', summary: 'customer records of 1,200 people read' }));
  const verified = () => process(async (store) => (await verifyStore(store, { now })).problems);
  return { keys, digests, process, anchor, open, facts, verified };
}

/** `hash` with its last character flipped. */
export const flipped = (hash: string) => `${hash.slice(0, -1)}${hash.endsWith('0') ? '1' : '0'}`;
