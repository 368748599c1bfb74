/**
 * A page the CLI could not deliver must be told: `sweep` runs from cron, and cron only tells
 * someone when a job writes to stderr or fails. Probed with PagerDuty as the pager and the
 * provider unreachable (a closed port): before the fix the page stayed pending, `replay` and
 * `sweep` printed nothing about it and `sweep` exited 0, run after run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

const ENV = { DATALEK_PAGER_ROUTING_KEY: 'R0UT1NGKEY0123456789abcdefABCDEF', DATALEK_PAGER_WEBHOOK_SECRET: 'w'.repeat(32) };

describe('a page the CLI could not deliver', () => {
  let dir: string;
  let store: string;
  let policy: string;
  let id: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-undelivered-'));
    store = join(dir, 'store');
    policy = join(dir, 'policy.json');
    // Port 9 (discard) on loopback: nothing listens, every attempt is refused at once.
    writeFileSync(policy, JSON.stringify({ onCall: { provider: 'pagerduty', providerUrl: 'http://127.0.0.1:9' } }));
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'undelivered', severity: 8.5 })));
    const out = await spawnCli(['replay', file, '--store', store, '--policy', policy, '--now', '2026-11-27T21:05:00Z', '--json'], ENV);
    id = JSON.parse(out.stdout.trim()).incidentId;
    // Recorded all the same (exit 0 per the contract), but the page that did not go out is named.
    expect(out.code).toBe(0);
    expect(out.stderr).toContain(`datalek: message ${id}/on-call/opened not delivered (it stays pending; the next sweep tries again)`);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is named on stderr by `sweep`, which exits 3 so that cron tells someone', async () => {
    // After the replay's claim on it ran out (5 minutes), the next sweep tries again, and says so.
    const out = await spawnCli(['sweep', '--store', store, '--policy', policy, '--now', '2026-11-27T21:11:00Z'], ENV);
    expect(out.stderr).toContain(`datalek: message ${id}/on-call/opened not delivered (it stays pending; the next sweep tries again): 3 attempts failed`);
    expect(out.code).toBe(3);
    // Still pending: it was not marked sent.
    const messages = JSON.parse((await spawnCli(['messages', id, '--store', store, '--json'])).stdout) as { id: string; sentAt: string | null }[];
    expect(messages.find((m) => m.id === `${id}/on-call/opened`)?.sentAt).toBeNull();
  });

  it('goes to the on-call topic once the pager was unreachable for ten minutes, and the sweep is clean again', async () => {
    const out = await spawnCli(['sweep', '--store', store, '--policy', policy, '--now', '2026-11-27T21:16:00Z'], ENV);
    expect(out.code).toBe(0);
    expect(out.stderr).not.toMatch(/not delivered/);
    const messages = JSON.parse((await spawnCli(['messages', id, '--store', store, '--json'])).stdout) as { id: string; sentAt: string | null }[];
    expect(messages.find((m) => m.id === `${id}/on-call/opened`)?.sentAt).not.toBeNull();
  });
});
