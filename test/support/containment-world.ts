import { ContainmentClientFactory, type ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { type Moto, startMoto } from './moto.js';

/** What the moto containment tests share: the server, the pipeline's tables, and containment's clients. */
export interface ContainmentWorld {
  moto: Moto;
  store: DynamoDbIncidentStore;
  /** Makes the clients containment acts with (the tests' `AwsContainment` is built on it). */
  factory: ContainmentClientFactory;
  /** The clients of `account` in `region`, for a test to set up resources and read them back. */
  c: ContainmentClients;
}

/** Starts moto for this process, creates the pipeline's tables, and opens containment's clients in `account`. */
export async function containmentWorld(account: string, region = 'eu-west-1'): Promise<ContainmentWorld> {
  const moto = await startMoto();
  Object.assign(process.env, moto.env);
  await setupAwsResources(moto.clients);
  const store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
  const factory = new ContainmentClientFactory(region, 'datalek-containment');
  const c = await factory.clientsFor(account, region, 'setup');
  return { moto, store, factory, c };
}
