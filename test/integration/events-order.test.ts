import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEventText } from '../../handlers/core/record-finding.js';
import { ROOT } from '../support/cli.js';
import { normalisedIncidents, shuffle } from '../support/order.js';
import { tempSqliteStore } from '../support/store.js';

/** Every event of events/, one text each (a file holding an array gives one per element). */
function eventTexts(): string[] {
  const dir = join(ROOT, 'events');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      try {
        const value = JSON.parse(text);
        return Array.isArray(value) ? value.map((v) => JSON.stringify(v)) : [text];
      } catch {
        return [text]; // the deliberately malformed file, rejected in any order
      }
    });
}

describe('events/ in any order', () => {
  it('gives the same incidents, attachments and clocks forwards, backwards and shuffled', async () => {
    const texts = eventTexts();
    const orders = { forwards: texts, backwards: [...texts].reverse(), shuffled: shuffle(texts, 12), 'shuffled again': shuffle(texts, 2026) };
    const results: Record<string, unknown> = {};
    for (const [name, order] of Object.entries(orders)) {
      const { store, cleanup } = tempSqliteStore();
      try {
        // One pseudonym secret for every order: a step's id holds the pseudonym of the user it revokes (fg19), made with the store's secret.
        store.database.prepare("INSERT INTO meta (key, value) VALUES ('pseudonym-key', ?)").run(Buffer.alloc(32, 19).toString('base64'));
        const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T08:00:00.000Z', canEnforce: false };
        for (const text of order) await recordEventText(deps, text);
        results[name] = await normalisedIncidents(store);
      } finally {
        await cleanup();
      }
    }
    expect((results.forwards as unknown[]).length).toBeGreaterThan(20);
    for (const name of Object.keys(orders)) expect(results[name], name).toEqual(results.forwards);
  });
});
