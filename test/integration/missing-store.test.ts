/**
 * Observation 4 of issue #13: `sweep --store /tmp/typo` printed "nothing is due" and exited 0, and
 * so did status, verify and register: a cron job in the wrong folder would page nobody, forever.
 * Every command but replay and drill now exits 2 naming the path, and creates nothing.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../support/cli.js';
import { digestKeys } from '../support/tamper.js';

describe('a store that does not exist', () => {
  const typo = join(mkdtempSync(join(tmpdir(), 'datalek-typo-')), 'tpyo');

  it.each([
    ['sweep'],
    ['status'],
    ['verify'],
    ['register'],
    ['show', 'dl-0000000000'],
    ['messages', 'dl-0000000000'],
    ['ack', 'dl-0000000000'],
    ['draft', 'dl-0000000000'],
    ['anchor', '--digests', join(tmpdir(), 'datalek-typo-digests'), '--key', digestKeys(mkdtempSync(join(tmpdir(), 'datalek-typo-key-'))).private],
  ])('%s exits 2 naming the path, and creates nothing', async (...args) => {
    const r = await runCli([...args, '--store', typo]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `datalek: no store at ${typo} (no datalek.sqlite there): give --store DIR or set DATALEK_STORE; replay creates a store, as does open --new-store`,
    );
    expect(existsSync(typo)).toBe(false);
  });

  it('fails the cron job that sweeps it (exit 2), from DATALEK_STORE too', async () => {
    const r = await spawnCli(['sweep'], { DATALEK_STORE: typo });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no store at .*tpyo/);
  });
});
