/**
 * The project's errors. One base class; each subclass carries the context a reader needs and,
 * where another error caused it, that error as `cause`.
 */
export class DatalekError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An event that is not a GuardDuty finding event we can process. `path` names the bad field. */
export class InvalidFindingError extends DatalekError {
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(path ? `${path}: ${reason}` : reason, options);
  }
}

/** A policy file or value that does not validate. `path` names the bad value. */
export class InvalidPolicyError extends DatalekError {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`invalid policy (${source}): ${issues.join('; ')}`);
  }
}

/** Configuration (environment) that is missing or malformed; thrown at start, not at 3 a.m. */
export class ConfigurationError extends DatalekError {}

export class IncidentNotFoundError extends DatalekError {
  constructor(readonly incidentId: string) {
    super(`no incident with id ${JSON.stringify(incidentId)}`);
  }
}

/**
 * A conditional write lost a race: someone else changed the incident or the finding after we read
 * it. The use case re-reads and decides again; nothing of the losing write was stored.
 */
export class ConflictError extends DatalekError {}

/** How the stores word a conflict they can only put down to another writer. */
const ANOTHER_WRITER = /^another writer (got there first|changed incident \S+ first)/;

/**
 * A conflict at every try while the incident did not change: read again, its revision is the one the
 * first try read, so no other writer got there first and trying again fails the same way. The store
 * refuses the write for a reason of its own (a row put in behind datalek's back: `datalek verify`
 * names it). Not a lost race: the CLI and the sweep say so, with the store's text and `datalek verify`.
 * A `ConflictError` still, so what answers conflicts without their text (the web page, the Lambdas:
 * it may name a resource) keeps doing so; it is thrown only after the last try.
 */
export class StuckConflictError extends ConflictError {
  /** The store's own words for the refusal (the last try's conflict). */
  readonly storeText: string;
  constructor(
    readonly incidentId: string,
    cause: ConflictError,
  ) {
    // The store's own words: a conflict worded as another writer's (SQLite's "another writer got
    // there first", DynamoDB's "another writer changed incident … first") says what did not happen,
    // so the words are those of the error under it (read12c C1); any other conflict's message is
    // the store's own account, such as the resource a planted lock claims and its holder.
    const words = ANOTHER_WRITER.test(cause.message) && cause.cause instanceof Error && cause.cause.message ? cause.cause.message : cause.message;
    super(`the store refused the write (${words}); incident ${incidentId} did not change meanwhile: no other writer got there first`, { cause });
    this.storeText = words;
  }
}

/**
 * Whether `err` is a race that trying again may win: a conflict, but not one already known to be
 * none (a store that refuses a commit for good says so at once: a record edited behind the
 * pipeline, core/ledger.ts `recordNotLedgered`; tried again until a Lambda's deadline, it would only
 * take the invocation's time and fail the same way).
 */
export function isLostRace(err: unknown): boolean {
  return err instanceof ConflictError && !(err instanceof StuckConflictError);
}

/**
 * A change carried out outside the store (in AWS: a release, a containment), wholly or in part,
 * whose record lost the race at every try: other changes to the incident kept coming in. Never
 * "nothing happened": the message says what was done, that the record lacks it, and how to bring
 * them together. `page`: the same for the web page, in its language.
 */
export class ActedNotRecordedError extends DatalekError {
  readonly page?: PageWords;
  constructor(message: string, options?: { page?: PageWords; cause?: unknown }) {
    super(message, options);
    this.page = options?.page;
  }
}

/**
 * A change carried out in AWS whose record the store refused at every try while nobody else changed
 * the incident (`cause`: a `StuckConflictError`): `acted` says what was carried out; no "once the
 * changes calm down", since trying again fails the same way. The CLI answers it on its lost-race
 * path (cli/lost-race.ts: the store's text and `datalek verify`); the page says so in its language.
 */
export function stuckActed(cause: StuckConflictError, acted: string, page: { en: string; nl: string }): ActedNotRecordedError {
  return new ActedNotRecordedError(acted, {
    cause,
    page: {
      en: `${page.en}: the store refused the record at every try, though nothing else changed this incident. Sending the form again fails the same way: have the incident's record checked (datalek verify ${cause.incidentId}).`,
      nl: `${page.nl}: de opslag weigerde het vastleggen bij elke poging, terwijl niets anders dit incident wijzigde. Opnieuw versturen mislukt op dezelfde manier: laat het dossier van het incident controleren (datalek verify ${cause.incidentId}).`,
    },
  });
}

/**
 * A message its channel refuses as it is (too large, content it never takes): every try would be
 * refused alike. Only for such a refusal of the message itself, never for an outage, a throttle or
 * a misconfigured channel (those pass, and the message is tried again).
 */
export class UndeliverableError extends DatalekError {
  constructor(
    readonly messageId: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`message ${messageId} is refused as it is, and would be on every try: ${reason}`, options);
  }
}

/** The store failed for another reason than a lost race. Never turned into "not found". */
export class StoreError extends DatalekError {}

/**
 * The store refused one write as it is (DynamoDB: an item over its size, a value it does not
 * take): the store works, and every try of the same write would be refused alike. Only for such a
 * refusal of what was written, never for an outage, a throttle, a full disk or an I/O error (those
 * are `StoreError`: the store itself cannot be written).
 */
export class StoreRefusedError extends StoreError {
  /** The incident whose commit was refused, when the store says. */
  readonly incidentId?: string;
  /** The store's own reason (its limits and names, never a value written): what a log may say of it. */
  readonly reason?: string;
  constructor(message: string, options?: { cause?: unknown; incidentId?: string; reason?: string }) {
    super(message, options);
    this.incidentId = options?.incidentId;
    this.reason = options?.reason;
  }
}

/**
 * A bad value for one input: a flag on the command line or a field of a form on the web page. The
 * message names the flag (`--risk must be one of none, risk, high`); `field` names it for a form.
 * The CLI exits 2 on it and nothing is written.
 */
export class UsageError extends DatalekError {
  readonly field?: string;
  /** The same, for the web page (see `PageWords`). */
  readonly page?: PageWords;
  constructor(message: string, options?: { field?: string; page?: PageWords; cause?: unknown }) {
    super(message, options);
    this.field = options?.field;
    this.page = options?.page;
  }
}

/**
 * The same refusal in words for a person on the web page, in its language: it names the form's
 * fields and forms, never a command or a flag. Where one is missing the page falls back on the
 * message.
 */
export interface PageWords {
  nl?: string;
  en?: string;
}

/** A person asked for something the incident's state does not allow (e.g. a late report without reason). */
export class RefusedError extends DatalekError {
  readonly page?: PageWords;
  constructor(message: string, options?: { page?: PageWords; cause?: unknown }) {
    super(message, options);
    this.page = options?.page;
  }
}

/** A refusal with its Dutch words for the web page (which names the form's fields, never a flag). */
export function refused(en: string, nl: string): RefusedError {
  return new RefusedError(en, { page: { nl } });
}

/** A containment step failed. `code` is the provider's error code (e.g. the AWS error name). */
export class ContainmentStepError extends DatalekError {
  constructor(
    readonly step: string,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${step} failed (${code}): ${message}`, options);
  }
}
