/**
 * atk29 A8, small items of the page and the register:
 * - `?done=constructor` (any name an object inherits) drew an empty flash box: `done in w.flash`
 *   took inherited keys;
 * - a register period whose end lies before its start printed an empty register (CLI exit 0, page
 *   200): a mistyped period read as "no incidents". Both now refuse it, naming both ends.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-20T21:05:00.000Z';

describe('the flash and the register period', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let id: string;
  let web: ReturnType<typeof inProcessWebApp>;
  beforeAll(async () => {
    ({ store, cleanup } = tempSqliteStore());
    id = (await recordEvent({ store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false }, findingEvent({ createdAt: '2026-11-20T21:00:00Z' })))
      .incidentId as string;
    web = inProcessWebApp({ store, policy: DEFAULT_POLICY, now: () => NOW });
  });
  afterAll(async () => cleanup());

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('?done=%s draws no flash', async (done) => {
    const res = await web.get(`/incidents/${id}?done=${done}`);
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('class="flash"');
  });

  it('the page refuses a period whose end lies before its start, naming both', async () => {
    const res = await web.get('/register?from=2026-12-31&to=2026-01-01');
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/--to 2026-01-01 lies before --from 2026-12-31/);
    expect((await web.get('/register/export?format=csv&from=2026-12-31&to=2026-01-01')).status).toBe(400);
    // One day is a period: from and to the same day.
    expect((await web.get('/register?from=2026-11-20&to=2026-11-20')).status).toBe(200);
  });

  it('register refuses --to not after --from, naming both, and writes nothing', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'datalek-register-period-')), 'store');
    await runCli(['replay', '--store', dir, '--now', NOW]);
    for (const to of ['2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z']) {
      const r = await runCli(['register', '--store', dir, '--from', '2026-12-31T00:00:00Z', '--to', to]);
      expect(r.code, to).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/--to .* is not after --from 2026-12-31T00:00:00.000Z/);
    }
  });
});
