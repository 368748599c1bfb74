/**
 * read14a A2: after review12 S3 `status --json`'s `deadline`, `show`, the page and the register give the
 * law's deadline (72 hours from awareness) and call a shorter policy target an internal target. Four
 * places still gave the target as "the AP deadline": the record path's result (`replay --json`'s
 * `deadline`, "AP deadline, ISO UTC" in cli-contract.md, and the record Lambda's summary), `ack`'s
 * "the AP deadline does not (T)", the FG's "Eerdere detectie" message ("De AP-termijn is vervroegd
 * naar T" under its own clock line giving the law's) and the report's timeline entry for it. With a
 * 48-hour target one command said Sunday 21:00, the other Monday 21:00, for the same record.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusObject } from '../../handlers/cli/views.js';
import { main } from '../../handlers/cli.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = { organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, apDeadlineHours: 48 };
const policy = parsePolicy(POLICY);

describe('read14a A2: a 48-hour internal target is not called the AP deadline', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const now = '2026-11-27T21:05:00.000Z';
  const deps = () => ({ store: t.store, policy, now: () => now, canEnforce: false });
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  it('the record result (replay --json) gives the same AP deadline as status --json', async () => {
    const result = await recordEvent(deps(), findingEvent({ id: 'f-a2', createdAt: '2026-11-27T21:00:00.000Z' }));
    const incident = (await t.store.getIncident(result.incidentId as string)) as Incident;
    const status = statusObject(incident, policy, now);
    // Premise: status --json gives the law's 72 hours, the target beside it.
    expect([status.deadline, status.internalTarget]).toEqual(['2026-11-30T21:00:00.000Z', '2026-11-29T21:00:00.000Z']);
    expect(result.deadline).toBe(status.deadline);
  });

  it("the FG's 'Eerdere detectie' message and the report's timeline name the law's deadline, the target beside it", async () => {
    await recordEvent(deps(), findingEvent({ id: 'f-a2b', createdAt: '2026-11-27T21:00:00.000Z', instanceId: 'i-0aaaaaaaaaaaaaaa2' }));
    const earlier = await recordEvent(deps(), findingEvent({ id: 'f-a2c', createdAt: '2026-11-27T19:00:00.000Z', instanceId: 'i-0aaaaaaaaaaaaaaa2' }));
    const messages = await t.store.listMessages(earlier.incidentId as string);
    const text = messages.map((m) => JSON.stringify(m)).find((m) => m.includes('Eerdere detectie'));
    expect(text).toBeDefined(); // premise: the FG is told the detection moved earlier
    // Aware 19:00Z now: the law's deadline is 30 Nov 19:00Z (20:00 Amsterdam), the target 29 Nov 20:00 Amsterdam.
    expect(text).toContain('AP-termijn (72 uur na bewustwording): 2026-11-30 20:00 CET');
    expect(text).toContain('De AP-termijn is vervroegd naar 2026-11-30 20:00 CET (2026-11-30T19:00:00Z); interne doelstelling: 2026-11-29 20:00 CET');
    const entry = (await t.store.getTimeline(earlier.incidentId as string)).find((e) => e.kind === 'detection-moved-earlier');
    expect(describeEntry(entry as never, 'nl', policy.timeZone)).toContain(
      'AP-termijn vervroegd naar 2026-11-30 20:00 CET (interne doelstelling: 2026-11-29 20:00 CET)',
    );
  });

  it("ack says the law's AP deadline, the target beside it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-a2-'));
    try {
      const file = join(dir, 'policy.json');
      const event = join(dir, 'event.json');
      writeFileSync(file, JSON.stringify(POLICY));
      writeFileSync(event, JSON.stringify(findingEvent({ id: 'f-a2d', createdAt: '2026-11-27T21:00:00.000Z' })));
      const out: string[] = [];
      const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s), errIsTty: false, env: {}, cwd: dir };
      const store = ['--store', join(dir, 'store'), '--policy', file, '--now', now];
      expect(await main(['replay', event, '--json', ...store], io), out.join('\n')).toBe(0);
      const { incidentId, deadline } = JSON.parse(out[0] as string) as { incidentId: string; deadline: string };
      expect(deadline).toBe('2026-11-30T21:00:00.000Z');
      out.length = 0;
      expect(await main(['ack', incidentId, '--by', 'Jan', ...store], io), out.join('\n')).toBe(0);
      // In the policy's zone with the ISO beside, as show gives them (fg27): the ISO alone read an hour early in Amsterdam.
      expect(out.join('\n')).toContain(
        'the AP deadline does not: 2026-11-30 22:00 CET (2026-11-30T21:00:00.000Z); internal target 2026-11-29 22:00 CET (2026-11-29T21:00:00.000Z).',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
