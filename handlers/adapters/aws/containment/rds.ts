/**
 * An RDS database: a publicly accessible instance is made private at once, then a snapshot is
 * taken (of the cluster for an Aurora member, which has no instance snapshots). What happened
 * inside the database (a login that succeeded) is a person's: rotate the credentials (runbook).
 */
import { CreateDBClusterSnapshotCommand, CreateDBSnapshotCommand, DescribeDBInstancesCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { ContainmentStepError } from '../../../core/errors.js';
import type { ActionRecord, Incident } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import { releaseStep, step } from './steps.js';

export interface DatabaseMetadata {
  dbInstanceIdentifier: string;
  dbClusterIdentifier: string | null;
  publiclyAccessible: boolean;
  engine: string | null;
}

export async function restrictRdsInstance(
  c: ContainmentClients,
  action: ActionRecord,
  incident: Incident,
  ctx: ExecutionContext,
  now: () => string,
): Promise<void> {
  const rds = c.rds;
  const ok = await step(ctx, 'capture-database', now, async () => {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: action.target }));
    const db = out.DBInstances?.[0];
    if (!db) throw new ContainmentStepError('capture-database', 'DBInstanceNotFound', `database instance ${action.target} not found`);
    const database: DatabaseMetadata = {
      dbInstanceIdentifier: action.target,
      dbClusterIdentifier: db.DBClusterIdentifier ?? null,
      publiclyAccessible: db.PubliclyAccessible === true,
      engine: db.Engine ?? null,
    };
    return {
      status: 'done',
      detail: `${database.engine ?? 'engine unknown'}, ${database.publiclyAccessible ? 'publicly accessible' : 'not publicly accessible'}${database.dbClusterIdentifier ? `, in cluster ${database.dbClusterIdentifier}` : ''}`,
      evidence: { database },
    };
  });
  if (!ok) return;
  const database = ctx.evidence.database as DatabaseMetadata;
  await step(ctx, 'make-private', now, async () => {
    if (!database.publiclyAccessible) return { status: 'skipped', detail: 'not publicly accessible' };
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: database.dbInstanceIdentifier, PubliclyAccessible: false, ApplyImmediately: true }));
    return { status: 'done', detail: 'publicly accessible turned off (applied immediately)' };
  });
  await step(ctx, 'snapshot-database', now, async () => {
    const id = snapshotId(incident.id, database.dbClusterIdentifier ?? database.dbInstanceIdentifier);
    const Tags = [
      { Key: 'datalek:incident', Value: incident.id },
      { Key: 'datalek:database', Value: database.dbInstanceIdentifier },
    ];
    if (database.dbClusterIdentifier) {
      await rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: database.dbClusterIdentifier, DBClusterSnapshotIdentifier: id, Tags }));
    } else {
      await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: database.dbInstanceIdentifier, DBSnapshotIdentifier: id, Tags }));
    }
    return {
      status: 'done',
      detail: `${database.dbClusterIdentifier ? 'cluster ' : ''}snapshot ${id} tagged datalek:incident=${incident.id}`,
      evidence: { snapshot: id },
    };
  });
}

/** Letters, digits and single hyphens, starting with a letter, at most 255: RDS's rule for snapshot names. */
function snapshotId(incidentId: string, source: string): string {
  return `datalek-${incidentId}-${source}`
    .replace(/[^A-Za-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/-$/, '')
    .slice(0, 255);
}

export async function releaseRdsInstance(c: ContainmentClients, action: ActionRecord, options: ReleaseOptions, now: () => string): Promise<void> {
  const database = action.evidence?.database as DatabaseMetadata | undefined;
  const madePrivate = (action.steps ?? []).some((s) => s.name === 'make-private' && s.status === 'done');
  if (!database || !madePrivate) {
    await options.record({
      name: 'release',
      status: 'skipped',
      at: now(),
      detail: 'the database was not made private: nothing to undo; the snapshot stays (evidence)',
    });
    return;
  }
  await releaseStep(options, now)('restore-public-access', async () => {
    await c.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: database.dbInstanceIdentifier, PubliclyAccessible: true, ApplyImmediately: true }));
    return 'publicly accessible again, as before; the snapshot stays (evidence)';
  });
}
