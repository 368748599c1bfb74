/** The time as the use cases see it; tests and `--now` fix it. */
export interface Clock {
  /** Now, as ISO 8601 UTC. */
  now(): string;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };

export function fixedClock(iso: string): Clock {
  const at = new Date(iso).toISOString();
  return { now: () => at };
}
