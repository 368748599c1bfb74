import type { StepRecord } from '../../handlers/core/incident.js';
import type { Containment } from '../../handlers/ports/containment.js';

/** A containment adapter whose release records these steps, as the AWS adapter does (a failure is recorded, not thrown). */
export const releasing = (steps: StepRecord[]): Containment => ({
  canEnforce: true,
  execute: async () => {},
  release: async (_a, _i, options) => {
    for (const step of steps) await options.record(step);
  },
});
