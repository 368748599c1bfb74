/**
 * The public link function, behind a function URL without IAM authorisation: it serves the pages
 * behind the signed acknowledgement link every page carries, and the pager's webhooks, by
 * forwarding each request (web/link-forward.ts) to the private link-apply function with one
 * synchronous invocation, and showing its answer. It holds no secret, no key, no table and no bus:
 * its role may invoke that one function and write its log, nothing else (infra/response-stack.ts),
 * and the link-apply function checks every request itself (lambda/link-apply.ts). Its reserved
 * concurrency bounds what a flood of requests can cost.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DatalekError } from '../core/errors.js';
import { createLinkForwarder } from '../web/link-forward.js';
import { functionUrlHandler } from './function-url.js';

/** A synchronous invocation of the link-apply function: the payload as sent, its answer as returned (Lambda's own shape). */
export type LinkApplyInvoker = (payload: string) => Promise<{ payload: string; functionError?: string }>;

export interface LinkFunctionDeps {
  invoke: LinkApplyInvoker;
  /** Where failures go: identifiers only, never a request's content. */
  log: (line: string) => void;
}

/** The link-apply function failed rather than answered (Lambda's FunctionError, and the error's type). */
export class LinkApplyError extends DatalekError {
  constructor(
    readonly functionError: string,
    readonly errorType: string,
  ) {
    super(`the link-apply function failed (${functionError}: ${errorType})`);
  }
}

export function createLinkHandler(deps: LinkFunctionDeps) {
  const app = createLinkForwarder({
    apply: async (request) => {
      const answer = await deps.invoke(JSON.stringify(request));
      // Only the error's type: its message may quote what the request carried.
      if (answer.functionError) throw new LinkApplyError(answer.functionError, errorTypeOf(answer.payload));
      return JSON.parse(answer.payload) as unknown;
    },
    log: deps.log,
  });
  return functionUrlHandler((request) => app.fetch(request));
}

function errorTypeOf(payload: string): string {
  try {
    const type = (JSON.parse(payload) as { errorType?: unknown }).errorType;
    return typeof type === 'string' ? type.slice(0, 100) : 'unknown error';
  } catch {
    return 'unknown error';
  }
}

/** Invokes `functionArn` synchronously (RequestResponse) with `client`. */
export function lambdaInvoker(client: LambdaClient, functionArn: string): LinkApplyInvoker {
  return async (payload) => {
    const out = await client.send(
      new InvokeCommand({ FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(payload) }),
    );
    return { payload: new TextDecoder().decode(out.Payload ?? new Uint8Array()), ...(out.FunctionError ? { functionError: out.FunctionError } : {}) };
  };
}
