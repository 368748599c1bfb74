/**
 * atk28 F18: a store folder other local users can write to (0777, no sticky bit), or one above it,
 * was used without a word: any of them can rename datalek.sqlite (or its -wal) away and put a store of
 * their own in its place, which verify then checks on its own terms. As ssh does with such a folder,
 * every command on the store now says so, naming the folder and the fix; a folder closed to others,
 * or writable with the sticky bit (/tmp), is used as before, without a word.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';

const NOW = '2026-11-27T21:20:00Z';
const EVENT = join(ROOT, 'events/01-ec2-backdoor-command-and-control-high.json');

describe('a store folder others can write to (atk28 F18)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-store-folder-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const replay = (store: string) => runCli(['replay', EVENT, '--store', store, '--now', NOW, '--json']);

  it('is named with the fix, by replay and by status, and the command still runs', async () => {
    const store = join(dir, 'ww');
    mkdirSync(store);
    chmodSync(store, 0o777);
    const out = await replay(store);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain(`datalek: warning: the store folder ${store} can be written by other local users (mode 777, no sticky bit)`);
    expect(out.stderr).toContain(`chmod go-w ${store}`);
    const status = await runCli(['status', '--store', store, '--now', NOW]);
    expect(status.stderr).toContain(`the store folder ${store} can be written by other local users`);
  });

  it('is named when a folder above the store is the one others can write to', async () => {
    const parent = join(dir, 'shared');
    mkdirSync(parent);
    chmodSync(parent, 0o775);
    const store = join(parent, 'store');
    const out = await replay(store);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain(
      `datalek: warning: the folder ${parent} above the store ${store} can be written by other local users (mode 775, no sticky bit)`,
    );
  });

  it('is not named when the folder is closed to others, or writable with the sticky bit', async () => {
    const sticky = join(dir, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    for (const store of [join(dir, 'own'), join(sticky, 'store')]) {
      const out = await replay(store);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stderr).not.toMatch(/warning/);
    }
  });
});
