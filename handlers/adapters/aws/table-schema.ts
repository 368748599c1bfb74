/**
 * The names and key schema of the AWS resources, in one place: `datalek setup --target aws` and the
 * CDK app (infra/) both create them from here, so an emulator and a deployment cannot drift apart.
 */
export const DEFAULT_RESOURCE_NAMES = {
  /** Incidents, findings, timelines and the outbox: one table, overloaded keys. */
  table: 'datalek-incidents',
  /** Powertools idempotency records (keyed on the finding key and version). */
  idempotencyTable: 'datalek-idempotency',
  fgTopic: 'datalek-fg',
  onCallTopic: 'datalek-on-call',
  /** The pipeline's own domain events. */
  bus: 'datalek',
} as const;

/**
 * The incidents table. Items:
 * - `INC#<id>` / `INCIDENT`: the incident (its revision guards every change);
 * - `INC#<id>` / `TL#<seq>`: timeline entries, only ever added;
 * - `INC#<id>` / `MSG#<message id>`: the outbox;
 * - `RES#<resource key>` / `OPEN`: the lock that keeps one open incident per resource;
 * - `FND#<account>/<region>/<finding id>` / `FINDING`: a finding's key and version.
 * GSI `due`: sparse; `DUE` items by next due time, `PENDING` messages by creation time.
 * GSI `byDetection`: every incident by detection time, for status and the register.
 */
export const INCIDENT_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: {
    due: { name: 'due', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    byDetection: { name: 'byDetection', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;

/** The Powertools idempotency table's key, as its DynamoDB persistence layer expects by default. */
export const IDEMPOTENCY_TABLE = { partitionKey: 'id', ttlAttribute: 'expiration' } as const;

/** The source of the pipeline's own events on its bus. */
export const DOMAIN_EVENT_SOURCE = 'datalek';
