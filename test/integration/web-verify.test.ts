/**
 * The FG defends the record before the AP: the incident page checks it against its ledger, as
 * `datalek verify ID` does, with the same use case (core/verify-store.ts). An intact record says
 * so; one edited behind datalek's back names the entry that was changed, as the CLI does, in Dutch
 * and English. The check only reads.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { describeProblem } from '../../handlers/core/audit.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { describeProblemNl } from '../../handlers/web/verify-nl.js';
import { findingEvent } from '../support/events.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

describe('checking the record on the incident page', () => {
  let store: SqliteIncidentStore;
  let dir: string;
  let cleanup: () => Promise<void>;
  let id: string;
  const now = '2026-11-28T08:00:00.000Z';
  let web: ReturnType<typeof inProcessWebApp>;

  beforeEach(async () => {
    ({ store, dir, cleanup } = tempSqliteStore());
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => now, canEnforce: false },
      findingEvent({ id: 'verify-1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-verify', createdAt: '2026-11-27T21:00:00Z' }),
    );
    id = recorded.incidentId as string;
    web = inProcessWebApp({ store, policy: DEFAULT_POLICY, now: () => now, audit: store });
  });
  afterEach(async () => cleanup());

  it('links the check from the incident page, and finds an intact record intact, in Dutch and English', async () => {
    const incident = await (await web.get(`/incidents/${id}`, 'nl')).text();
    expect(incident).toContain(`<a href="/incidents/${id}/verify">Dossier controleren tegen het grootboek</a>`);
    const before = JSON.stringify({ incident: await store.getIncident(id), timeline: await store.getTimeline(id) });
    const nl = await web.get(`/incidents/${id}/verify`, 'nl');
    expect(nl.status).toBe(200);
    expect(pageText(await nl.text())).toContain(`Het dossier van ${id} klopt met zijn grootboek`);
    const en = await web.get(`/incidents/${id}/verify`, 'en');
    expect(pageText(await en.text())).toContain(`The record of ${id} matches its ledger`);
    // Reading only.
    expect(JSON.stringify({ incident: await store.getIncident(id), timeline: await store.getTimeline(id) })).toBe(before);
  });

  it('names what was edited behind datalek’s back, as datalek verify does', async () => {
    const db = new Database(join(dir, 'datalek.sqlite'));
    try {
      db.prepare("UPDATE timeline SET detail = json_set(detail, '$.tampered', 'yes') WHERE incident_id = ? AND seq = 1").run(id);
    } finally {
      db.close();
    }
    const cli = await verifyStore(store, { only: id, now });
    expect(cli.problems.length).toBeGreaterThan(0);
    for (const lang of ['nl', 'en'] as const) {
      const res = await web.get(`/incidents/${id}/verify`, lang);
      expect(res.status).toBe(200);
      const html = await res.text();
      const text = pageText(html);
      expect(text).toContain(lang === 'nl' ? `Het dossier van ${id} wijkt af van zijn grootboek` : `The record of ${id} does not match its ledger`);
      for (const p of cli.problems) expect(text).toContain(lang === 'nl' ? describeProblemNl(p) : describeProblem(p));
      expect(html).toContain('role="alert"');
    }
  });

  it('gives the problems in Dutch on the Dutch page, keeping the technical names (entry numbers, keys, columns)', async () => {
    const db = new Database(join(dir, 'datalek.sqlite'));
    try {
      db.prepare("UPDATE timeline SET detail = json_set(detail, '$.tampered', 'yes') WHERE incident_id = ? AND seq = 1").run(id);
      db.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 1) WHERE id = ?").run(id);
      db.prepare("UPDATE findings SET data = json_set(data, '$.tampered', 1) WHERE incident_id = ?").run(id);
    } finally {
      db.close();
    }
    const cli = await verifyStore(store, { only: id, now });
    expect(cli.problems.length).toBeGreaterThanOrEqual(3);
    const text = pageText(await (await web.get(`/incidents/${id}/verify`, 'nl')).text());
    expect(text).toContain(`incident ${id}, tijdlijnregel 1: de inhoud komt niet overeen met de hash: de regel is gewijzigd`);
    expect(text).toMatch(/incidentrecord: komt niet overeen met wat het grootboek vastlegde voor revisie \d+: het incidentrecord is gewijzigd/);
    expect(text).toMatch(/bevinding \S+: komt niet overeen met wat het grootboek vastlegde: de bevinding \(bewijs\) is gewijzigd/);
    // None of the English problem texts the CLI prints.
    for (const p of cli.problems) expect(text).not.toContain(p.problem);
    expect(text).not.toMatch(/does not|was edited|ledger/);
  });

  it('answers 404 for an unknown incident, and offers no check without the audit source', async () => {
    expect((await web.get('/incidents/dl-00000000000000000000000000000000/verify')).status).toBe(404);
    const without = inProcessWebApp({ store, policy: DEFAULT_POLICY, now: () => now });
    expect(await (await without.get(`/incidents/${id}`)).text()).not.toContain('/verify');
    expect((await without.get(`/incidents/${id}/verify`)).status).toBe(404);
  });
});
