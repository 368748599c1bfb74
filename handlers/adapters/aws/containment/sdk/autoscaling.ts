/** The Auto Scaling client, in a module of its own: loaded when a containment action first needs it (see ../clients.ts). */
export { AutoScalingClient as Client } from '@aws-sdk/client-auto-scaling';
