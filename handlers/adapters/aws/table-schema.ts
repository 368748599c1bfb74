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
 * The incidents table's tag naming the FG's role, the one whose sessions record the FG's decisions
 * (handlers/cli/fg-role.ts): written by the CDK app (its `fgRole`) and by `setup`, changed by
 * nobody but the deployment and break-glass (the table's policy).
 */
export const FG_ROLE_TAG = 'datalek:fg-role';

/** The FG's role as the CDK app names it by default (infra/config.ts `fgRole`), and `setup` tags the table with. */
export const DEFAULT_FG_ROLE = 'datalek-fg';

/**
 * The incidents table. Items:
 * - `INC#<id>` / `INCIDENT`: the incident (its revision guards every change);
 * - `INC#<id>` / `TL#<seq>`: timeline entries, only ever added;
 * - `INC#<id>` / `MSG#<message id>`: the outbox;
 * - `RES#<resource key>` / `OPEN`: the lock that keeps one open incident per resource;
 * - `FND#<account>/<region>/<finding id>` / `FINDING`: a finding's key and version.
 * GSI `due`: sparse; `DUE#<shard>` items by next due time, `PENDING#<shard>` messages by creation time.
 * GSI `byDetection`: every incident (`INCIDENT#<shard>`) by detection time, for status and the register.
 *
 * The index partition keys are sharded by a hash of the incident or message id: with one constant
 * key every incident write of a finding storm lands on the same index partition (about 1,000
 * write units a second at most, and an incident item is several kilobytes written some fifteen
 * times during its containment), and a throttled index throttles the table's writes. Eight shards
 * give eight times the headroom; readers (status, the sweep, the outbox) query every shard in
 * parallel and merge.
 */
export const INCIDENT_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: {
    due: { name: 'due', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    byDetection: { name: 'byDetection', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
  indexShards: 8,
} as const;

/** The index partition key prefixes; the key is `<prefix>#<shard>`. */
export const INCIDENT_INDEX_KEYS = { incident: 'INCIDENT', due: 'DUE', pending: 'PENDING' } as const;

/** The shard (0 … indexShards-1) of a hex digest of the item's id. */
export function indexShardOf(hexDigest: string): number {
  return Number.parseInt(hexDigest.slice(0, 8), 16) % INCIDENT_TABLE.indexShards;
}

/** The Powertools idempotency table's key, as its DynamoDB persistence layer expects by default. */
export const IDEMPOTENCY_TABLE = { partitionKey: 'id', ttlAttribute: 'expiration' } as const;

/** The source of the pipeline's own events on its bus. */
export const DOMAIN_EVENT_SOURCE = 'datalek';

/**
 * Fields of the functions' structured logs that CloudWatch metric filters (infra/) turn into
 * metrics with alarms: the log line and the alarm cannot drift apart.
 */
export const LOG_METRICS = {
  /** Logged by the contain function: network interfaces left in the all-traffic group by this run. */
  interfacesExposed: 'interfacesExposed',
  /** Logged by the contain function: enforced actions of the record it refused to carry out (core/contain.ts). */
  containmentRefused: 'containmentRefused',
  /** Logged by the acknowledgement and link-apply functions: a change the store refused for good, no race (StuckConflictError; infra14). */
  stuckConflicts: 'stuckConflicts',
} as const;
