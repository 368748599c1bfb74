/**
 * fgsec11 S6 (low): Dutch texts.
 * 1. The retention hold's Dutch refusals call the hold a "bewaarplicht" (a statutory duty to retain)
 *    and say "Dit incident wordt al bewaard" (every incident is kept: the register keeps it for years),
 *    without who holds it and since when, which the English gives. The FG reads them on the page.
 * 2. The page addresses the FG as "je" in its labels ("Je werkt als", "Je naam", "leg je hier vast")
 *    and as "u" in its refusals ("sinds u deze pagina opende", "wat u invulde", "uw wijziging").
 * Run: npx vitest run --testTimeout 240000 --hookTimeout 600000 test/review10/fgsec-dutch-hold-and-address.test.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import type { RefusedError } from '../../handlers/core/errors.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { holdFindings, releaseHold } from '../../handlers/core/retention-hold.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const id = 'dl-fgsec11-dutch';
const now = '2026-11-28T08:00:00.000Z';

describe('fgsec11 S6: Dutch texts', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy: DEFAULT_POLICY, now: () => now });

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id, actions: [], state: 'closed', closedAt: now }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => cleanup());

  it('the hold is not called a statutory duty, and a second hold says who holds it since when', async () => {
    const release = await releaseHold(deps(), id, { by: 'FG', reason: 'klacht afgehandeld' }).catch((e: RefusedError) => e);
    expect((release as RefusedError).page?.nl).toBeDefined();
    expect((release as RefusedError).page?.nl).not.toMatch(/bewaarplicht/);
    await holdFindings(deps(), id, { by: 'A. de Vries', reason: 'klacht' });
    const twice = (await holdFindings(deps(), id, { by: 'FG', reason: 'klacht' }).catch((e: RefusedError) => e)) as RefusedError;
    expect(twice.message).toContain('A. de Vries');
    expect(twice.page?.nl).toBe(
      'De bevindingen van dit incident worden al langer bewaard, op besluit van A. de Vries sinds 2026-11-28 09:00 CET: hef dat besluit eerst op.',
    );
  });

  it('the page addresses the FG one way: "je" in its labels, or "u" in its refusals, not both', () => {
    const text = ['i18n.ts', 'action-forms.ts', 'app.tsx'].map((f) => readFileSync(join(import.meta.dirname, '../../handlers/web', f), 'utf8')).join('\n');
    const je = /(^|[^\p{L}])(je|Je)\s(werkt|naam|hier|AWS-identiteit)/u.test(text) || /met je naam/.test(text);
    const u = /\su (deze pagina opende|invulde)|\suw wijziging/.test(text);
    expect({ je, u }).not.toEqual({ je: true, u: true });
    // "u" throughout, as the AP and the refusals address the FG: no "je", "jij" or "jouw" in any of the page's texts.
    const page = ['i18n.ts', 'action-forms.ts', 'app.tsx', 'components.tsx', 'pages.tsx']
      .map((f) => readFileSync(join(import.meta.dirname, '../../handlers/web', f), 'utf8'))
      .join('\n');
    expect(page.match(/(?<![\p{L}])(je|Je|jij|Jij|jouw|Jouw)(?![\p{L}])/gu) ?? []).toEqual([]);
  });
});
