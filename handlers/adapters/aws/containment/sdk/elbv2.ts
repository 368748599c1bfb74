/** The Elastic Load Balancing v2 client, in a module of its own: loaded when a containment action first needs it (see ../clients.ts). */
export { ElasticLoadBalancingV2Client as Client } from '@aws-sdk/client-elastic-load-balancing-v2';
