/**
 * Clients for the services the newer containment actions use (Lambda, RDS, ECS, AWS Backup), with
 * the same credentials and region as the containment clients they are derived from: in a member
 * account, the assumed containment role's. Built once per containment client set and reused.
 */
import { BackupClient } from '@aws-sdk/client-backup';
import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import type { ContainmentClients } from './clients.js';

export interface ServiceClients {
  lambda: LambdaClient;
  rds: RDSClient;
  ecs: ECSClient;
  backup: BackupClient;
}

const built = new WeakMap<ContainmentClients, ServiceClients>();

export function serviceClients(c: ContainmentClients): ServiceClients {
  let clients = built.get(c);
  if (!clients) {
    // The EC2 client's resolved credential and region providers: the same identity in the same account.
    const config = { region: c.ec2.config.region, credentials: c.ec2.config.credentials };
    clients = { lambda: new LambdaClient(config), rds: new RDSClient(config), ecs: new ECSClient(config), backup: new BackupClient(config) };
    built.set(c, clients);
  }
  return clients;
}
