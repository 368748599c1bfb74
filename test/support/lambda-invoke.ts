/**
 * A synchronous Lambda invocation (InvocationType RequestResponse) of a handler in this process,
 * through JSON both ways as Lambda carries it: the payload is parsed into the event, the handler's
 * result serialised into the answer, and a thrown error becomes `FunctionError: 'Unhandled'` with
 * Lambda's error object. moto's Lambda cannot run functions here; the boundary is kept exact.
 */
import type { LinkApplyInvoker } from '../../handlers/lambda/link.js';

export function inProcessLambda(handler: (event: unknown) => Promise<unknown>, calls: string[] = []): LinkApplyInvoker {
  return async (payload) => {
    calls.push(payload);
    try {
      return { payload: JSON.stringify(await handler(JSON.parse(payload))) };
    } catch (err) {
      const e = err as Error;
      return { payload: JSON.stringify({ errorType: e.name, errorMessage: e.message }), functionError: 'Unhandled' };
    }
  };
}
