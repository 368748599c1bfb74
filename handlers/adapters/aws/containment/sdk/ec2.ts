/** The EC2 client, in a module of its own: loaded when a containment action first needs it (see ../clients.ts). */
export { EC2Client as Client } from '@aws-sdk/client-ec2';
