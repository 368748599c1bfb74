/**
 * The names under which an incident keeps, in `reminders.byClock`, what the sweep and a containment
 * run last did beside the reminders of a clock: shared by the schedule (core/schedule.ts), the
 * containment code (core/containment.ts) and verify, which holds each to what the timeline records
 * (core/audit-reminders.ts). A module of its own, so that verify loads none of the others.
 */

/** The track of the exposed interfaces' repeated page (one page for all of an incident's, however many). */
export const EXPOSED_REPEAT_TRACK = 'exposed-repeat';

/** The track under which the sweep records its last check of the holders of actions left elsewhere (`reminders.byClock`). */
export const LEFT_CHECK_TRACK = 'left-to-closed';

/** The prefix of the tracks under which an incident keeps when the failure of the holder of an action it left was told (one per action id). */
export const LEFT_FAILED_PREFIX = 'left-failed:';
