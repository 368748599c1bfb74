import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { incidentStoreContract } from './incident-store.contract.js';

describe.skipIf(!MOTO_AVAILABLE)('DynamoDB store on moto', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
  });
  afterAll(async () => moto?.stop());

  incidentStoreContract('DynamoDB (moto)', async () => ({
    store: new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents'),
    cleanup: async () => {},
  }));
});
