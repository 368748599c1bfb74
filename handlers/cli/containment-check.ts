/**
 * `show` and `verify` with `--target aws`: the containment each record says is in effect, read back
 * from AWS (core/drift.ts). Reads only; the AWS SDK loads only here, for `--target aws`.
 */
import { leftElsewhere } from '../core/containment.js';
import { type ContainmentStateReader, checkContainment, type DriftReport, type HolderOf } from '../core/drift.js';
import type { Incident } from '../core/incident.js';
import type { IncidentStore } from '../ports/incident-store.js';
import { awsSettings } from './backend.js';
import type { Context } from './context.js';

/**
 * The member accounts' role for reading containment back: `DATALEK_CONTAINMENT_READ_ROLE_NAME`, by
 * default the containment role's name with `-read` (as the member stack names it: infra/config.ts).
 */
export function readRoleName(env: Record<string, string | undefined>): string {
  return env.DATALEK_CONTAINMENT_READ_ROLE_NAME ?? `${env.DATALEK_CONTAINMENT_ROLE_NAME ?? 'datalek-containment'}-read`;
}

/**
 * The incidents the `incidents` left actions to (`heldBy`), as they are now (merges followed): those
 * listed, and the others read from `store` (show's one incident), each once. Their containment of the
 * resource is read back under the incident that left it (core/drift.ts `leftChecks`).
 */
export async function holdersOf(store: Pick<IncidentStore, 'getIncident'>, incidents: readonly Incident[]): Promise<HolderOf> {
  const known = new Map(incidents.map((i) => [i.id, i]));
  const get = async (id: string) => {
    if (!known.has(id)) {
      const read = await store.getIncident(id);
      if (read) known.set(id, read);
    }
    return known.get(id);
  };
  const survivors = new Map<string, Incident | undefined>();
  for (const incident of incidents) {
    for (const a of incident.actions.filter((x) => x.heldBy && leftElsewhere(x))) {
      const id = a.heldBy as string;
      if (survivors.has(id)) continue;
      const seen = new Set([id]);
      let holder = await get(id);
      while (holder?.mergedInto && !seen.has(holder.mergedInto)) {
        seen.add(holder.mergedInto);
        holder = await get(holder.mergedInto);
      }
      survivors.set(id, holder);
    }
  }
  return (id) => survivors.get(id);
}

/**
 * The containment as AWS shows it, read as drift reads it: in a member account through its read role
 * (reads only: the containment role trusts the contain function alone). The AWS SDK loads at the
 * first read, not before: a command that reads nothing never pays for it.
 */
export function awsContainmentReader(env: Record<string, string | undefined>): ContainmentStateReader {
  let reader: Promise<ContainmentStateReader> | undefined;
  const open = async () => {
    const [{ AwsContainmentStateReader }, { ContainmentClientFactory }] = await Promise.all([
      import('../adapters/aws/containment/drift.js'),
      import('../adapters/aws/containment/clients.js'),
    ]);
    return new AwsContainmentStateReader(new ContainmentClientFactory(awsSettings(env).region, readRoleName(env)));
  };
  return {
    read: async (checks) => {
      reader ??= open();
      return (await reader).read(checks);
    },
  };
}

export async function readBackContainment(ctx: Context, incidents: readonly Incident[], store: Pick<IncidentStore, 'getIncident'>): Promise<DriftReport> {
  // What AWS shows now, whatever --now says.
  return checkContainment(incidents, awsContainmentReader(ctx.io.env), ctx.systemNow(), await holdersOf(store, incidents));
}
