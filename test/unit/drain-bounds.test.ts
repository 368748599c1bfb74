/**
 * The ECS drain of an isolated instance (adapters/aws/containment/ecs.ts) looks for its container
 * instance in the region's clusters. It listed them to the end and looked in all of them at once,
 * however many (contain16): now ListClusters is read to a number of pages, the clusters are looked
 * in a few at a time, and those past the bound are named as not looked in, with how to look there;
 * not found in those looked in, the step fails (contain17).
 */
import { expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { drainContainerInstance } from '../../handlers/adapters/aws/containment/ecs.js';
import { ContainmentStepError } from '../../handlers/core/errors.js';

const INSTANCE = 'i-0drained';

/** An ECS of `count` clusters, the instance a container instance of cluster `home`; how many lookups ran at once at most, and which clusters were looked in. */
function ecsOf(count: number, home: number) {
  const clusters = Array.from({ length: count }, (_, i) => `arn:aws:ecs:eu-west-1:111122223333:cluster/c${i}`);
  const seen = { lookedIn: [] as string[], inFlight: 0, most: 0, drained: [] as string[] };
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const input = command.input;
    switch (command.constructor.name) {
      case 'ListClustersCommand': {
        const from = Number(input.nextToken ?? 0);
        const to = from + ((input.maxResults as number | undefined) ?? 100);
        return { clusterArns: clusters.slice(from, to), ...(to < count ? { nextToken: String(to) } : {}) };
      }
      case 'ListContainerInstancesCommand': {
        seen.lookedIn.push(input.cluster as string);
        seen.inFlight += 1;
        seen.most = Math.max(seen.most, seen.inFlight);
        await new Promise((r) => setImmediate(r));
        seen.inFlight -= 1;
        return { containerInstanceArns: input.cluster === clusters[home] ? [`${clusters[home]}/ci-1`] : [] };
      }
      case 'DescribeContainerInstancesCommand':
        return { containerInstances: [{ containerInstanceArn: `${clusters[home]}/ci-1`, ec2InstanceId: INSTANCE, status: 'ACTIVE' }] };
      case 'UpdateContainerInstancesStateCommand':
        seen.drained.push(...(input.containerInstances as string[]));
        return { failures: [] };
      case 'PutAttributesCommand':
        return {};
    }
    throw new Error(`unexpected ${command.constructor.name}`);
  };
  return { c: { ecs: { send } } as unknown as ContainmentClients, clusters, seen };
}

it('looks in the clusters a few at a time, to a bound of ListClusters pages, and names those past it as not looked in', async () => {
  const { c, clusters, seen } = ecsOf(12, 4);
  const out = await drainContainerInstance(c, INSTANCE, 'dl-bounds', {}, { pages: 2, pageSize: 4, atOnce: 3 });
  // Eight clusters listed (two pages of four), looked in three at a time; the four past them not looked in.
  expect(seen.lookedIn.sort()).toEqual(clusters.slice(0, 8).sort());
  expect(seen.most).toBe(3);
  expect(out.status).toBe('done');
  expect(seen.drained).toEqual([`${clusters[4]}/ci-1`]);
  expect(out.detail).toContain('more than the 8 ECS cluster(s) looked in: those past them not looked in');
  expect(out.detail).toContain(`--filter "ec2InstanceId == ${INSTANCE}"`);
});

// contain17 item 2: it read `skipped` and paged nobody, though the instance may be a container
// instance of a cluster past the bound, tasks placed on it bringing interfaces of their own. Now the
// step fails (as every failed step, on-call is paged), NOT CONTAINED, naming the clusters left.
it('not found in the clusters looked in, more past the bound: the step fails NOT CONTAINED, naming the clusters not looked in', async () => {
  const { c, seen } = ecsOf(12, 10);
  const out = drainContainerInstance(c, INSTANCE, 'dl-bounds', {}, { pages: 2, pageSize: 4, atOnce: 3 });
  await expect(out).rejects.toBeInstanceOf(ContainmentStepError);
  const err = (await out.catch((e: unknown) => e)) as ContainmentStepError;
  expect(seen.drained).toEqual([]);
  expect(seen.lookedIn).not.toContain('arn:aws:ecs:eu-west-1:111122223333:cluster/c10');
  expect([err.step, err.code]).toEqual(['drain-container-instance', 'ClustersNotLookedIn']);
  expect(err.message).toMatch(/NOT CONTAINED: not found in the 8 ECS cluster\(s\) looked in, and the region has more, not looked in: c8, c9, c10, c11\./);
  expect(err.message).toContain(`--filter "ec2InstanceId == ${INSTANCE}"`);
});

it('past the bound twice over: the clusters named as far as the bound lists them, the rest said to be past them', async () => {
  const { c } = ecsOf(20, 19);
  const err = (await drainContainerInstance(c, INSTANCE, 'dl-bounds', {}, { pages: 2, pageSize: 4, atOnce: 3 }).catch((e: unknown) => e)) as Error;
  expect(err.message).toContain('not looked in: c8, c9, c10, c11, c12, c13, c14, c15, and more past them.');
});

it('within the bound and not found: skipped, not a container instance', async () => {
  const { c } = ecsOf(5, 2);
  const { send } = c.ecs as unknown as { send: (command: { constructor: { name: string } }) => Promise<unknown> };
  const none = {
    ecs: {
      send: async (command: { constructor: { name: string } }) =>
        command.constructor.name === 'ListContainerInstancesCommand' ? { containerInstanceArns: [] } : send(command),
    },
  };
  const out = await drainContainerInstance(none as unknown as ContainmentClients, INSTANCE, 'dl-bounds', {}, { pages: 2, pageSize: 4, atOnce: 3 });
  expect(out).toMatchObject({ status: 'skipped', detail: "not a container instance in any of the region's 5 ECS cluster(s)" });
});

it('within the bound: every cluster looked in, no word of clusters not looked in', async () => {
  const { c, clusters, seen } = ecsOf(5, 2);
  const out = await drainContainerInstance(c, INSTANCE, 'dl-bounds', {}, { pages: 2, pageSize: 4, atOnce: 3 });
  expect(seen.lookedIn.sort()).toEqual([...clusters].sort());
  expect(out.status).toBe('done');
  expect(out.detail).not.toContain('not looked in');
});
