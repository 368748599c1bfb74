/**
 * Before any test: the built command (dist/cli/) is current, so that the tests that run
 * bin/datalek.mjs as a process test these sources, and no two of them build it at once.
 */
import { ensureCliBuilt } from '../../scripts/build.mjs';

export default async function setup(): Promise<void> {
  await ensureCliBuilt();
}
