/**
 * clk28 "noticed": `contained --at` judged "entered later" against the stated --now, not the machine's
 * clock, as a3e02fee (atk28 F16) judged every other stated time: a containment by hand said to be
 * done on 27 November, entered on 3 December with `--now` set to the 27th, read as entered at once,
 * with no mark on the record or its entry. "Entered" is the machine's clock when --now is stated
 * behind it (change-incident.ts enteredAt); a --now at the machine's clock judges as before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';

const EC2 = join(ROOT, 'events/01-ec2-backdoor-command-and-control-high.json');
const MACHINE = '2026-12-03T08:00:00.000Z';
const NOW = '2026-11-27T22:00:00Z';
const AT = '2026-11-27T21:40:00Z';

describe('contained --at, entered with a --now behind the machine’s clock (clk28)', () => {
  let dir: string;
  let store: string;
  let id: string;
  let action: string;
  const cli = (machine: string, ...args: string[]) => runCli([...args, '--store', store], {}, () => machine);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-contained-at-'));
    store = join(dir, 's');
    const out = await cli('2026-11-27T21:20:00.000Z', 'replay', EC2, '--now', '2026-11-27T21:20:00Z', '--json');
    id = (JSON.parse(out.stdout.split('\n')[0]) as { incidentId: string }).incidentId;
    const shown = JSON.parse((await cli('2026-11-27T21:20:00.000Z', 'show', id, '--json', '--now', '2026-11-27T21:20:00Z')).stdout) as {
      actions: { id: string; type: string }[];
    };
    action = shown.actions.find((a) => a.type === 'isolate-instance')?.id as string;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const recorded = async () => {
    const shown = JSON.parse((await cli(MACHINE, 'show', id, '--json', '--now', NOW)).stdout) as {
      actions: { id: string; byHand?: { enteredLater?: boolean } }[];
      timeline: { kind: string; detail: Record<string, unknown> }[];
    };
    return {
      mark: shown.actions.find((a) => a.id === action)?.byHand?.enteredLater,
      entry: shown.timeline.find((e) => e.kind === 'containment-done-by-hand')?.detail.enteredLater,
    };
  };
  const contained = (machine: string) =>
    cli(machine, 'contained', id, '--action', action, '--what', 'instance met de hand geïsoleerd', '--by', 'on-call', '--at', AT, '--now', NOW);

  it('is marked entered later, on the record and its entry, when the machine’s clock is days past --at', async () => {
    const out = await contained(MACHINE);
    expect(out.code, out.stderr).toBe(0);
    expect(await recorded()).toEqual({ mark: true, entry: true });
  });

  it('is not marked when --now is the machine’s clock and --at within the day before it', async () => {
    const out = await contained(new Date(NOW).toISOString());
    expect(out.code, out.stderr).toBe(0);
    expect(await recorded()).toEqual({ mark: undefined, entry: undefined });
  });
});
