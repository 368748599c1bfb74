/**
 * The AWS calls a containment makes, as the bench and the containment tests see them: each call's
 * command and input, when it was sent and when it was answered (on `performance.now()`'s clock),
 * and what those say about the path to cutting the network: how many calls, and how many had to
 * wait for one another, before every network interface was isolated. Counts and order, never
 * durations: the times only say which call was sent after which was answered.
 */
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';

export interface ContainmentCall {
  /** The command without its `Command` suffix, e.g. `ModifyNetworkInterfaceAttribute`. */
  command: string;
  input: Record<string, unknown>;
  start: number;
  end: number;
}

type Stack = { add: (mw: unknown, options: { step: 'initialize'; priority: 'high'; name: string }) => void; remove: (name: string) => boolean };

/**
 * Records every call of every client in `clients` into the returned list (empty it between
 * containments); `stop()` takes the recorder off again.
 */
export function recordContainmentCalls(clients: ContainmentClients): { calls: ContainmentCall[]; stop: () => void } {
  const calls: ContainmentCall[] = [];
  const name = 'datalekContainmentCalls';
  const stacks = Object.values(clients).map((client) => (client as unknown as { middlewareStack: Stack }).middlewareStack);
  for (const stack of stacks) {
    stack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const call: ContainmentCall = {
          command: (context.commandName ?? '').replace(/Command$/, ''),
          input: { ...((args as { input?: Record<string, unknown> }).input ?? {}) },
          start: performance.now(),
          end: Number.POSITIVE_INFINITY,
        };
        calls.push(call);
        try {
          return await next(args);
        } finally {
          call.end = performance.now();
        }
      },
      // Outermost: every call the containment sends, also those a test's middleware answers itself.
      { step: 'initialize', priority: 'high', name },
    );
  }
  return {
    calls,
    stop: () => {
      for (const stack of stacks) stack.remove(name);
    },
  };
}

/**
 * The calls sent before every interface was isolated: each interface takes two swaps (all
 * traffic, then isolation), so that is when the last of the `2 × interfaces` swaps was answered.
 */
export function callsBeforeIsolated(calls: ContainmentCall[], interfaces: number): { calls: ContainmentCall[]; isolatedAt: number } {
  const swaps = calls.filter((c) => c.command === 'ModifyNetworkInterfaceAttribute').sort((a, b) => a.end - b.end);
  if (swaps.length < 2 * interfaces) throw new Error(`${swaps.length} interface swap(s) for ${interfaces} interface(s): not every interface was isolated`);
  const isolatedAt = swaps[2 * interfaces - 1].end;
  return { calls: calls.filter((c) => c.start < isolatedAt), isolatedAt };
}

/** Sequential round trips: the longest chain of calls in which each was sent only after the one before it was answered. */
export function roundTrips(calls: { start: number; end: number }[]): number {
  const depth = new Map<(typeof calls)[number], number>();
  for (const call of [...calls].sort((a, b) => a.start - b.start)) {
    const before = calls.filter((c) => c.end <= call.start).map((c) => depth.get(c) ?? 0);
    depth.set(call, 1 + Math.max(0, ...before));
  }
  return Math.max(0, ...depth.values());
}
