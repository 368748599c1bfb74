import { RefusedError } from '../../core/errors.js';
import type { Containment } from '../../ports/containment.js';

/**
 * The embedded containment: local replay never touches a resource. Every action is recorded as
 * planned (the core does that when `canEnforce` is false), so there is never anything to run or
 * to undo here.
 */
export class PlanOnlyContainment implements Containment {
  readonly canEnforce = false;

  async execute(): Promise<void> {
    throw new RefusedError('the embedded store only plans containment; use --target aws --enforce to carry it out');
  }

  async release(): Promise<void> {
    throw new RefusedError('the embedded store only plans containment; there is nothing to release');
  }
}
