/**
 * A fleet-wide runtime storm on one EKS cluster (a malicious DaemonSet: one finding per worker node)
 * tells on-call once per finding type, as the FG is told, and the incident record stays bounded
 * however many findings come: what is beyond the bound is counted and said to be left out, and every
 * finding stays recorded as its own item (review2 attack item 8).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { showText } from '../../handlers/cli/views.js';
import { MAX_ACTIONS } from '../../handlers/core/commit-bounds.js';
import type { Incident } from '../../handlers/core/incident.js';
import { storedText } from '../../handlers/core/ledger.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T12:00:00.000Z';
const ROOT = join(import.meta.dirname, '../..');

/** Event 32 (a reverse shell on an EKS worker node), on node `i`, as finding `i`. */
function nodeFinding(i: number): Record<string, unknown> {
  const raw = JSON.parse(readFileSync(join(ROOT, 'events', '32-eks-worker-node-runtime-reverse-shell.json'), 'utf8'));
  const event = Array.isArray(raw) ? raw[0] : raw;
  event.detail.id = (0xabc000 + i).toString(16).padStart(32, '0');
  event.detail.resource.instanceDetails.instanceId = `i-${i.toString(16).padStart(17, '0')}`;
  return event;
}

describe('a runtime storm on one EKS cluster', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());

  it('tells on-call once per finding type, and keeps the record bounded while every finding is recorded', async () => {
    const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
    const sizes: number[] = [];
    let id = '';
    for (let i = 0; i < 300; i++) {
      const result = await recordEvent(deps, nodeFinding(i));
      expect(result.outcome).toBe(i === 0 ? 'opened' : 'attached');
      id = result.incidentId as string;
      if (i === 149 || i === 299) sizes.push(storedText.incident((await store.getIncident(id)) as never).length);
    }
    const onCall = (await store.listMessages(id)).filter((m) => m.channel === 'on-call');
    // The opening page, the storm's first spread beyond it, and the first node the record had no
    // room for (review3 attack §2): not one page per node.
    expect(onCall.map((m) => m.kind)).toEqual(['opened', 'finding-added', 'finding-added']);
    expect(onCall[1].body).toMatch(/niet opnieuw/);
    expect(onCall[1].body).toContain(`datalek show ${id}`);
    expect(onCall[2].body).toMatch(/Inperking NIET gepland.*i-00000000000000063/);

    const incident = await store.getIncident(id);
    expect(incident?.findings).toBe(300);
    expect(incident?.actions).toHaveLength(MAX_ACTIONS);
    // What is beyond the bound is counted, and said once on the timeline.
    expect(incident?.actionsNotPlanned).toMatchObject({ count: 300 + 1 - MAX_ACTIONS, since: NOW });
    const said = (await store.getTimeline(id)).filter((e) => e.kind === 'containment-not-planned');
    expect(said).toHaveLength(1);
    expect(said[0].detail).toMatchObject({ limit: MAX_ACTIONS });
    // The record no longer grows with the storm, far within DynamoDB's 400 KB an item.
    expect(sizes[1]).toBeLessThan(200 * 1024);
    expect(sizes[1] - sizes[0]).toBeLessThan(2 * 1024);
    // Every finding is still recorded, as its own item.
    expect(
      await store.getFinding({ accountId: '111122223333', region: 'eu-west-1', findingId: (0xabc000 + 299).toString(16).padStart(32, '0') }),
    ).toBeDefined();
    expect(showText(incident as Incident, await store.getTimeline(id), DEFAULT_POLICY, NOW)).toContain(
      `not planned ${300 + 1 - MAX_ACTIONS} further action(s)`,
    );
    expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
  });
});
