import type { ActionRecord, Incident, StepRecord } from '../core/incident.js';

/** The two groups of a network isolation, by the names their record gives them (evidence `groups`). */
export type IsolationGroupRole = 'allTraffic' | 'isolation';

export interface ExecutionContext {
  incident: Incident;
  /** Names of the steps an earlier run finished: they are not run again. */
  done: ReadonlySet<string>;
  /** Every step recorded so far, failed ones included (a retry starts with what a failure left open). */
  steps?: readonly StepRecord[];
  /**
   * When this run must have stopped, in epoch milliseconds (the function's timeout); steps that
   * must not be left half done are only started with time to finish or undo them. @default no limit
   */
  deadline?: number;
  /**
   * A release touched the action since its steps were recorded (it undid part of it, or it stopped
   * unfinished and its mark ran out): what `done` says was done may have been undone since. Steps
   * that set a state a release undoes (an interface's groups) are read again, and set again where
   * they no longer hold, rather than skipped.
   */
  recheck?: boolean;
  /** Evidence recorded so far, earlier runs included (e.g. the original groups per interface). */
  evidence: Record<string, unknown>;
  /**
   * The security groups the store's record of incident `incidentId` names as the isolation groups its
   * containment used (its actions' evidence `groups`; an incident merged into another, the survivor's
   * too), each with the role the record gives it: the proof that a group tagged as datalek's
   * (`datalek:created-for` names the incident) is datalek's, and which of the two it is. Tags anyone
   * who may create or tag a group can set (or swap); a group id only AWS assigns, and only the
   * pipeline writes the record. Empty when the store holds no such incident.
   */
  recordedGroups(incidentId: string): Promise<ReadonlyMap<string, IsolationGroupRole>>;
  /**
   * Stores one step's result, and any evidence it gathered, before the next step starts: a crash
   * leaves a truthful record, and a retry continues after the last step done.
   */
  record(step: StepRecord, evidence?: Record<string, unknown>): Promise<void>;
}

export interface ReleaseOptions {
  /** Reactivate a deactivated access key (never by default). */
  reactivateKey: boolean;
  record(step: StepRecord): Promise<void>;
  /**
   * Release steps an earlier, failed release of this action did after undoing the containment
   * (`attach-to-asg`, `associate-instance-profile`, ...): not sent again (AWS refuses a second attach
   * or association), recorded as skipped.
   */
  doneBefore?: ReadonlySet<string>;
  /**
   * The person releasing states the action's IAM user was deleted (`release --user-deleted`, rel28):
   * IAM answers NoSuchEntity for a user renamed too, and containment cannot list users to tell
   * which. A step that finds the user not found (GetUser: NoSuchEntity, read then) is skipped, code
   * NoSuchEntity, released as deleted on `by`'s word; a user IAM finds is released as without it.
   */
  userDeleted?: { by: string };
}

/**
 * Carries out containment, step by step, through `record`. A step that fails is recorded as
 * failed with the provider's error code, never as done; the steps that depend on it are not run.
 * `canEnforce` false means the adapter only ever plans (the embedded adapter: local replay never
 * touches a resource), and the core records every action as planned.
 */
export interface Containment {
  readonly canEnforce: boolean;
  execute(action: ActionRecord, ctx: ExecutionContext): Promise<void>;
  /** Undoes a done action from its recorded evidence. */
  release(action: ActionRecord, incident: Incident, options: ReleaseOptions): Promise<void>;
}
