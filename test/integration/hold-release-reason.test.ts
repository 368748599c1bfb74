/**
 * fg20: a retention hold keeps an incident's findings past the retention period for a reason the
 * record keeps (a complaint, a claim, the AP's question still open: review9 S5). Releasing it took
 * only `--by`: the next minimise run removed the evidence, and the record said who ended the hold
 * and when, never why. Before the AP (or a court hearing the complaint) the FG has to show why the
 * findings kept for it could go (Art. 5(1)(e), 5(2)): ending a hold is a decision like placing one,
 * and needs its own reason, kept on the timeline and shown in the report. Without one nothing is written.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../handlers/core/incident.js';
import { runCli } from '../support/cli.js';
import { closedHeldIncident } from '../support/held-incident.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-02-01T09:00:00Z';

describe('fg20: releasing a retention hold says why', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let out: string;
  beforeEach(() => {
    t = tempSqliteStore();
    out = mkdtempSync(join(tmpdir(), 'datalek-hold-release-'));
  });
  afterEach(async () => {
    await t.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it('without --reason it is refused and the hold stays; with one the timeline and the report keep it', async () => {
    const { held } = await closedHeldIncident(t.store);
    const cli = (args: string[]) => runCli([...args, '--store', t.dir, '--now', NOW]);

    const bare = await cli(['minimise', held, '--release-hold', '--by', 'FG']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--release-hold needs --reason TEXT');
    expect(((await t.store.getIncident(held)) as Incident).retentionHold?.reason).toBe('klacht van een betrokkene; de AP vraagt nog');

    const released = await cli(['minimise', held, '--release-hold', '--reason', 'klacht afgehandeld, AP-vraag beantwoord op 30 januari', '--by', 'FG']);
    expect(released.code, released.stderr).toBe(0);
    expect(((await t.store.getIncident(held)) as Incident).retentionHold).toBeUndefined();
    const timeline = JSON.parse((await cli(['show', held, '--json'])).stdout).timeline as { kind: string; detail: Record<string, unknown> }[];
    expect(timeline.find((e) => e.kind === 'retention-hold-released')?.detail).toMatchObject({
      reason: 'klacht van een betrokkene; de AP vraagt nog',
      releaseReason: 'klacht afgehandeld, AP-vraag beantwoord op 30 januari',
    });
    const file = join(out, 'report.html');
    expect((await cli(['report', held, '--html', file, '--lang', 'en'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('klacht afgehandeld, AP-vraag beantwoord op 30 januari');
  });
});
