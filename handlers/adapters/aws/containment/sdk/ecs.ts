/** The ECS client, in a module of its own: loaded when a containment action first needs it (see ../clients.ts). */
export { ECSClient as Client } from '@aws-sdk/client-ecs';
