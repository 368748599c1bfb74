/** The Lambda client, in a module of its own: loaded when a containment action first needs it (see ../clients.ts). */
export { LambdaClient as Client } from '@aws-sdk/client-lambda';
