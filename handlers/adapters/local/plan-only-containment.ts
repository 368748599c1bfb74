import type { Containment, ContainmentResult } from '../../ports/containment.js';

/** Local replay never touches a resource: every action is recorded as planned and nothing runs. */
export class PlanOnlyContainment implements Containment {
  readonly canEnforce = false;

  async execute(): Promise<ContainmentResult> {
    throw new Error('PlanOnlyContainment never executes: the core records the plan instead (canEnforce is false)');
  }
}
