/**
 * The check bin/datalek.mjs makes on every start: the build is fresh only while every file it was
 * built from has the size and modification time the stamp recorded. A stale build must never run.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stampHolds, stampOf } from '../../scripts/cli-build-stamp.mjs';

describe('the build stamp', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'datalek-stamp-'));
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'b.ts'), 'export const b = 2;\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('holds while nothing changed, a file recorded missing included', () => {
    const stamp = stampOf(['a.ts', 'b.ts', 'gone.ts'], root);
    expect(stamp['gone.ts']).toBeNull();
    expect(stampHolds(stamp, root)).toBe(true);
  });

  it('fails for a file edited to the same size, one edited to another size, one removed and one that appeared', () => {
    const stamp = stampOf(['a.ts', 'b.ts', 'gone.ts'], root);
    // Same size, another time: an edit of one character.
    writeFileSync(join(root, 'a.ts'), 'export const a = 3;\n');
    utimesSync(join(root, 'a.ts'), new Date(Date.now() + 5000), new Date(Date.now() + 5000));
    expect(stampHolds(stamp, root)).toBe(false);
    const again = stampOf(['a.ts', 'b.ts', 'gone.ts'], root);
    writeFileSync(join(root, 'b.ts'), 'export const b = 20;\n');
    expect(stampHolds(again, root)).toBe(false);
    const third = stampOf(['a.ts', 'b.ts', 'gone.ts'], root);
    rmSync(join(root, 'a.ts'));
    expect(stampHolds(third, root)).toBe(false);
    const fourth = stampOf(['b.ts', 'gone.ts'], root);
    writeFileSync(join(root, 'gone.ts'), '');
    expect(stampHolds(fourth, root)).toBe(false);
  });
});
