/**
 * atk29 A3: the resource's classification tags (events/08: DataClassificatie=Persoonlijk) were in the
 * stored finding and shown nowhere, and "no personal data" was recorded against them without a word.
 * The tags the policy names (`personalDataTags`) are kept with the incident at opening and shown to the FG
 * (show, the page, the FG's message); other tags are counted, their values left out (free text).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { runCli } from '../support/cli.js';
import { inProcessWebApp } from '../support/web-app.js';

const BUCKET = 'events/08-s3-bucket-made-public-anonymous-access.json';
const NOW = ['--now', '2026-11-28T00:00:00Z'];

async function replayed(): Promise<{ store: string; id: string }> {
  const store = join(mkdtempSync(join(tmpdir(), 'datalek-tags-')), 's');
  const r = await runCli(['replay', BUCKET, '--json', '--store', store, ...NOW]);
  expect(r.code, r.stderr).toBe(0);
  return { store, id: JSON.parse(r.stdout.split('\n')[0]).incidentId as string };
}

describe('the resource’s classification tags, for the FG', () => {
  it('shows them in show, on the page and in the FG’s message', async () => {
    const { store, id } = await replayed();
    const show = (await runCli(['show', id, '--store', store, ...NOW])).stdout;
    expect(show).toMatch(/tags {10}DataClassificatie=Persoonlijk \(labelled as holding personal data: policy personalDataTags\)/);
    const messages = (await runCli(['messages', id, '--store', store, '--json'])).stdout;
    expect(messages).toContain('DataClassificatie=Persoonlijk');
    const s = new SqliteIncidentStore(store);
    try {
      const web = inProcessWebApp({ store: s, policy: DEFAULT_POLICY, now: () => '2026-11-28T00:00:00.000Z' });
      expect(await (await web.get(`/incidents/${id}`, 'en')).text()).toContain('DataClassificatie=Persoonlijk');
    } finally {
      await s.close();
    }
  });
});
