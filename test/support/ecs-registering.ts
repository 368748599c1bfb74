import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';

/**
 * Runs `fn` with container instances read REGISTERING by `c`'s ECS client (the one containment acts
 * with: the factory hands out the same clients): `arn`'s, or every one when none is named. moto
 * registers every container instance ACTIVE and has no REGISTERING (awsvpcTrunking's trunk interface
 * being provisioned), so the answer to DescribeContainerInstances is changed on the test's side; moto
 * serves everything else, and ECS reads it ACTIVE again once `fn` is over.
 */
export async function whileRegistering(c: ContainmentClients, arn: string | undefined, fn: () => Promise<unknown>): Promise<void> {
  const name = 'test-registering';
  c.ecs.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === 'DescribeContainerInstancesCommand') {
        const output = out.output as { containerInstances?: { containerInstanceArn?: string; status?: string }[] };
        for (const ci of output.containerInstances ?? []) if (arn === undefined || ci.containerInstanceArn === arn) ci.status = 'REGISTERING';
      }
      return out;
    },
    { step: 'initialize', name },
  );
  try {
    await fn();
  } finally {
    c.ecs.middlewareStack.remove(name);
  }
}
