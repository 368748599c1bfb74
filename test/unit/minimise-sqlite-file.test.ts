/**
 * fgmin10 item 2 (G11): minimising replaced a finding record's bytes, but SQLite leaves what it
 * frees in the file (the old row's overflow pages, the old cell in its page) and the old pages in
 * the main file while the new ones wait in the -wal log for a checkpoint: the removed address
 * could be read from the store's files with `strings`. A minimisation zeroes what it frees and
 * checkpoints at once, so the files hold no removed value when it returns, the store still open
 * (as `serve` keeps it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { addressOnlyEvent } from '../support/personal-finding.js';
import { tempSqliteStore } from '../support/store.js';

const ADDRESS = '198.51.100.77';

/** The finding as GuardDuty delivers it, with a detail large enough (like many real ones) to take overflow pages; `count` its version. */
function bigEvent(count: number) {
  const event = addressOnlyEvent('f-file', 'i-0fffffffffffffff0', ADDRESS);
  const service = event.detail.service as Record<string, unknown>;
  service.additionalInfo = { value: 'x'.repeat(6000) };
  service.count = count;
  event.detail.updatedAt = `2026-01-10T09:0${count}:00Z`;
  return event;
}

describe('minimising on the embedded store', () => {
  let temp: ReturnType<typeof tempSqliteStore>;
  let store: SqliteIncidentStore;
  let file: string;
  beforeEach(() => {
    temp = tempSqliteStore();
    store = temp.store;
    file = join(temp.dir, STORE_FILE);
  });
  afterEach(async () => {
    await store.close();
    await temp.cleanup();
  });
  /** Closes the store and opens it again, as each CLI command does: the last close checkpoints the log into the file. */
  const reopen = async () => {
    await store.close();
    store = new SqliteIncidentStore(temp.dir);
  };
  const occurrences = (path: string) => (existsSync(path) ? readFileSync(path).toString('latin1').split(ADDRESS).length - 1 : 0);

  it('leaves none of the removed values readable in the file or its log, the store still open', async () => {
    // Prepare: the finding recorded, a later version of it, the incident closed, each a command of its own.
    const deps = () => ({ store, policy: DEFAULT_POLICY, now: () => '2026-01-10T09:15:00.000Z', canEnforce: false });
    const incidentId = (await recordEvent(deps(), bigEvent(1))).incidentId as string;
    await reopen();
    expect((await recordEvent(deps(), bigEvent(2))).outcome).toBe('updated');
    await reopen();
    await assess(deps(), { incidentId, personalData: 'no', risk: 'none', reason: 'alleen een scan', by: 'FG' });
    await closeIncident(deps(), { incidentId, reason: 'afgehandeld', by: 'FG' });
    await reopen();
    expect(occurrences(file)).toBeGreaterThan(0);
    // Act
    const at = () => '2026-09-01T00:00:00.000Z';
    const report = await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180 });
    // Assess
    expect(report.minimised.map((m) => m.findings)).toEqual([1]);
    expect({ file: occurrences(file), log: occurrences(`${file}-wal`) }).toEqual({ file: 0, log: 0 });
  });

  it('pseud21: leaves neither the store-wide pseudonym nor the incident’s secret readable in the file or its log once minimise unlinks it', async () => {
    // Prepare: an IAM user's console sign-in (named by its pseudonym), closed; its secret and pseudonym as the record held them.
    const deps = () => ({ store, policy: DEFAULT_POLICY, now: () => '2026-01-10T09:15:00.000Z', canEnforce: false });
    const event = findingEvent({
      id: 'f-user',
      createdAt: '2026-01-10T09:00:00.000Z',
      type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { userType: 'IAMUser', userName: 'jan.jansen@example.nl' } },
    } as never);
    const incidentId = (await recordEvent(deps(), event)).incidentId as string;
    await assess(deps(), { incidentId, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps(), { incidentId, reason: 'afgehandeld', by: 'FG' });
    await reopen();
    const before = (await store.getIncident(incidentId)) as Incident;
    const digits = before.resource.id.slice('iam-user:'.length);
    const secret = before.pseudonymKey as string;
    const holding = (path: string) => {
      const text = existsSync(path) ? readFileSync(path).toString('latin1') : '';
      return { digits: text.split(digits).length - 1, secret: text.split(secret).length - 1 };
    };
    expect(digits, 'premise').toMatch(/^[0-9a-f]{16}$/);
    // Act
    const at = () => '2026-09-01T00:00:00.000Z';
    await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180 });
    // Assess
    expect(((await store.getIncident(incidentId)) as Incident).pseudonymKey, 'premise: unlinked').toBeUndefined();
    // The record as it was before is zeroed, the log emptied: the secret that made its own pseudonym from the store-wide one is gone.
    expect({ file: holding(file).secret, log: holding(`${file}-wal`) }).toEqual({ file: 0, log: { digits: 0, secret: 0 } });
    // What earlier writes freed (the open-incident index's entry dropped at closing) stays until written over: VACUUM, as the README says, rewrites the file without it.
    await store.close();
    const db = new Database(file);
    db.exec('VACUUM');
    db.close();
    store = new SqliteIncidentStore(temp.dir);
    expect(holding(file)).toEqual({ digits: 0, secret: 0 });
  });
});
