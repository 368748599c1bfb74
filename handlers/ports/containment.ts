import type { ActionRecord, Incident } from '../core/incident.js';

/** The result of carrying out one containment action. */
export interface ContainmentResult {
  status: 'done' | 'skipped' | 'failed';
  /** Why it was skipped, or the provider's error code and message when it failed. */
  reason?: string;
  /** What was recorded to undo it later (original groups, Auto Scaling group, …). */
  evidence?: Record<string, unknown>;
}

/**
 * Carries out containment. `canEnforce` false means the adapter only ever plans (the embedded
 * adapter: local replay never touches a resource), and the core records every action as planned.
 */
export interface Containment {
  readonly canEnforce: boolean;
  execute(action: ActionRecord, incident: Incident): Promise<ContainmentResult>;
}
