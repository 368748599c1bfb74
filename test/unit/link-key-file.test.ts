/**
 * The local link key is made on first use by whichever process comes first (replay, sweep and
 * serve may start at once). Every process must end with the same key and none may read a key file
 * half made: a process that read it between creation and content failed "too short".
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spawnNode } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'datalek-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PATHS = 300;
const MAKER = `
  const { fileLinkKey } = await import(${JSON.stringify(join(ROOT, 'handlers/adapters/local/link-key-file.ts'))});
  const out = [];
  for (let i = 0; i < ${PATHS}; i++) {
    try { out.push((await fileLinkKey(${JSON.stringify(dir)} + '/k' + i, { create: true })()).toString('hex')); }
    catch (e) { out.push('error: ' + e.message); }
  }
  process.stdout.write(JSON.stringify(out));
`;

async function maker(): Promise<string[]> {
  const run = await spawnNode(['--import', 'tsx', '--input-type=module', '-e', MAKER]);
  if (run.code !== 0) throw new Error(`maker exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('the local link key file', () => {
  it('is made once however many processes make it at once: one key for all, never a half-made file', async () => {
    const runs = await Promise.all(Array.from({ length: 6 }, maker));
    for (let i = 0; i < PATHS; i++) {
      const keys = new Set(runs.map((r) => r[i]));
      expect([...keys], `key file k${i}`).toHaveLength(1);
      expect([...keys][0]).toMatch(/^[0-9a-f]{64}$/);
    }
    // Only the key files remain: no temporary file left behind.
    expect(readdirSync(dir).sort()).toEqual(Array.from({ length: PATHS }, (_, i) => `k${i}`).sort());
  }, 60_000);
});
