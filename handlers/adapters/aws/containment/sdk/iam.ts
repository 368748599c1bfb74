/** The IAM client, in a module of its own: loaded when a containment action first needs it (see ../clients.ts). */
export { IAMClient as Client } from '@aws-sdk/client-iam';
