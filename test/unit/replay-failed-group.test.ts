/**
 * review7 K2: when the commit of a group of replayed events fails (SQLite: disk full, I/O error),
 * none of the group's events may be released: their lines would say "opened"/"attached" and their
 * messages would be sent while none of them was stored. `notCommitted` names them, first to last.
 * (test/integration/replay-disk-full.test.ts: the same through the CLI on a store that fills up.)
 */
import { expect, it } from 'vitest';
import { CommitGroups } from '../../handlers/cli/commands/replay.js';

/** A store whose `failing`th COMMIT fails, as SQLite's does on a full disk: nothing of that group is stored. */
function storeFailingCommit(failing: number) {
  let commits = 0;
  return {
    beginGroup: () => {},
    endGroup: () => {
      commits += 1;
      if (commits === failing) throw new Error('store: a group of commits failed: database or disk is full');
    },
  };
}

/** Groups of at most `events` on `store`, and what they released, in order. */
function groupsOn(store: ReturnType<typeof storeFailingCommit>, events: number) {
  const released: string[] = [];
  const groups = new CommitGroups<string>(
    store,
    async (held) => {
      released.push(...held);
    },
    { events, ms: 1_000_000, wallMs: 1_000_000 },
  );
  return { groups, released };
}

it('an event whose group could not be committed is not released as recorded', async () => {
  const { groups, released } = groupsOn(storeFailingCommit(2), 1);
  await expect(
    groups.run(async () => {
      for (const e of ['first', 'second', 'third']) {
        groups.open();
        await groups.recorded(e);
      }
    }),
  ).rejects.toThrow(/disk is full/);
  // Only the first event (its group committed) is reported; "second" was never stored.
  expect(released).toEqual(['first']);
  expect(groups.notCommitted).toEqual(['second']);
});

it('when recording fails and the commit of what it held fails too, nothing of that group is released', async () => {
  const { groups, released } = groupsOn(storeFailingCommit(1), 64);
  await expect(
    groups.run(async () => {
      for (const e of ['first', 'second']) {
        groups.open();
        await groups.recorded(e);
      }
      groups.open();
      throw new Error('the third event could not be recorded');
    }),
  ).rejects.toThrow(/third event/);
  expect(released).toEqual([]);
  expect(groups.notCommitted).toEqual(['first', 'second']);
});
