/**
 * A proxy in front of moto that throttles EC2 the way EC2 does: token buckets per account and
 * region (EC2's request rate limits), and when a bucket runs dry the answer EC2 gives,
 * `503 RequestLimitExceeded`. moto itself never throttles, so without this a storm of findings on
 * moto shows none of the failures a real storm brings.
 *
 * Buckets (burst, refill per second), per account and region:
 * - ModifyNetworkInterfaceAttribute and CreateSnapshot: 100 and 5 each, a bucket of their own;
 * - other mutating actions: 50 and 5;
 * - non-mutating actions (Describe*, Get*): 100 and 20.
 * The buckets refill by EC2's time, which the proxy keeps (`CallPacedClock`), not by the wall clock.
 *
 * Every other service passes through untouched. The proxy logs each EC2 call it answered, accepted
 * or throttled, with the account, the action and its parameters: tests read it to find calls made
 * twice, the bench to count retries and throttles.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BucketSpec {
  burst: number;
  refillPerSecond: number;
}

export const EC2_BUCKETS: Record<'networkInterface' | 'snapshot' | 'mutating' | 'nonMutating', BucketSpec> = {
  networkInterface: { burst: 100, refillPerSecond: 5 },
  snapshot: { burst: 100, refillPerSecond: 5 },
  mutating: { burst: 50, refillPerSecond: 5 },
  nonMutating: { burst: 100, refillPerSecond: 20 },
};

/** The bucket an EC2 action draws from. */
export function bucketOf(action: string): keyof typeof EC2_BUCKETS {
  if (action === 'ModifyNetworkInterfaceAttribute') return 'networkInterface';
  if (action === 'CreateSnapshot') return 'snapshot';
  return /^(Describe|Get|List)/.test(action) ? 'nonMutating' : 'mutating';
}

export interface Ec2Call {
  /** EC2's time (what the buckets refill by) in milliseconds since the proxy started. */
  at: number;
  account: string;
  region: string;
  action: string;
  /** The call's parameters, as sent (form fields, without Action and Version). */
  params: Record<string, string>;
  throttled: boolean;
  /** A repeat of a call that was throttled before (same account, region and body). */
  retry: boolean;
  /**
   * Set when the caller had given up on the call (its connection closed: the SDK's request timeout)
   * before EC2's answer reached it: the SDK then sends it again, and EC2 may carry it out twice.
   */
  unanswered?: true;
}

export interface ThrottlingProxy {
  endpoint: string;
  /** EC2's time now, in milliseconds since the proxy started: what `Ec2Call.at` counts in. */
  now: () => number;
  /** EC2 calls in the order the proxy answered them. */
  calls: Ec2Call[];
  stop: () => Promise<void>;
}

/** How long EC2 takes to answer a call, whatever else it is answering at the time. */
export const EC2_CALL_MS = 100;

/**
 * EC2's time, as the buckets see it. Moto answers one request at a time, and on a loaded machine
 * slowly: a bucket that refilled by the wall clock then kept pace with a demand that moto itself
 * held back, and the storm never ran a bucket dry (CI on 30 November: 1,000 findings, not one
 * call throttled). EC2 answers every call in about `EC2_CALL_MS` however many wait beside it, so:
 * - while EC2 calls are in flight, the clock moves only as they are answered, each answer by
 *   `EC2_CALL_MS` shared among the calls in flight with it (ten calls answered together take 100 ms,
 *   not 1 s), however long moto took;
 * - while none is in flight (the pipeline waiting out a backoff or a retry), it moves with the wall
 *   clock, `timeScale` times as fast.
 * A call the proxy throttles is answered at once and moves the clock like any other.
 */
export class CallPacedClock {
  private ms = 0;
  private wallAt: number;
  private inFlight = 0;

  constructor(
    private readonly scale: number,
    private readonly wall: () => number = () => performance.now(),
  ) {
    this.wallAt = wall();
  }

  private sync(): void {
    const wall = this.wall();
    if (this.inFlight === 0) this.ms += (wall - this.wallAt) * this.scale;
    this.wallAt = wall;
  }

  now(): number {
    this.sync();
    return this.ms;
  }

  /** An EC2 call goes on to moto. */
  sent(): void {
    this.sync();
    this.inFlight += 1;
  }

  /** An EC2 call was answered: by moto (`sent` before) or by the proxy's throttle. */
  answered(byMoto: boolean): void {
    this.sync();
    const together = byMoto ? this.inFlight : this.inFlight + 1;
    if (byMoto) this.inFlight -= 1;
    this.ms += EC2_CALL_MS / Math.max(1, together);
  }
}

class Bucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly spec: BucketSpec,
    private readonly clock: () => number,
  ) {
    this.tokens = spec.burst;
    this.last = clock();
  }

  take(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.spec.refillPerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const THROTTLED_BODY = (id: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>${id}</RequestID></Response>`;

/** `Credential=AKID/20261128/eu-west-1/ec2/aws4_request` from a SigV4 Authorization header. */
function credentialScope(req: IncomingMessage): { accessKeyId: string; region: string; service: string } | null {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : null;
}

/**
 * The answer's headers without the hop-by-hop ones (RFC 9110, 7.6.1). moto answers each request on a
 * connection of its own (`Connection: close`: its server is HTTP/1.0, one request at a time); passed
 * on, that closed every client's connection to the proxy after each call, so each of a storm's
 * some 25,000 calls opened a new one, which an SDK client talking to AWS keeps open. The proxy's own
 * connection to moto still closes after each request.
 */
function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { connection, 'keep-alive': _keepAlive, 'transfer-encoding': _te, ...rest } = headers;
  for (const name of String(connection ?? '').split(',')) delete rest[name.trim().toLowerCase()];
  return rest;
}

/**
 * `timeScale` makes EC2's time pass that many times faster while no EC2 call is in flight, so a
 * storm's waits are shorter. `clock` (milliseconds of EC2's time) replaces `CallPacedClock`: a test of
 * the proxy itself moves it by hand.
 */
export async function startThrottlingProxy(target: string, options: { timeScale?: number; clock?: () => number } = {}): Promise<ThrottlingProxy> {
  const paced = options.clock ? null : new CallPacedClock(options.timeScale ?? 1);
  const clock = options.clock ?? (() => (paced as CallPacedClock).now());
  const upstream = new URL(target);
  const buckets = new Map<string, Bucket>();
  const accounts = new Map<string, Promise<string>>();
  const throttledBodies = new Set<string>();
  const calls: Ec2Call[] = [];
  const started = clock();
  let requestId = 0;

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: endToEnd(res.headers), body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  /** The account of an access key, as moto maps it (assumed-role keys belong to the role's account). */
  const accountOf = (accessKeyId: string, region: string): Promise<string> => {
    let known = accounts.get(accessKeyId);
    if (!known) {
      known = new Promise((resolve, reject) => {
        const body = 'Action=GetCallerIdentity&Version=2011-06-15';
        const out = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: 'POST',
            path: '/',
            headers: {
              host: upstream.host,
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Buffer.byteLength(body),
              authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${region}/sts/aws4_request, SignedHeaders=host, Signature=0`,
            },
          },
          (res) => {
            let text = '';
            res.on('data', (c) => {
              text += c;
            });
            res.on('end', () => resolve(/<Account>(\d{12})<\/Account>/.exec(text)?.[1] ?? 'unknown'));
          },
        );
        out.on('error', reject);
        out.end(body);
      });
      accounts.set(accessKeyId, known);
    }
    return known;
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const scope = credentialScope(req);
      if (scope?.service === 'ec2') {
        const form = new URLSearchParams(body.toString('utf8'));
        const action = form.get('Action') ?? 'Unknown';
        const account = await accountOf(scope.accessKeyId, scope.region);
        const key = `${account}/${scope.region}/${bucketOf(action)}`;
        let bucket = buckets.get(key);
        if (!bucket) {
          bucket = new Bucket(EC2_BUCKETS[bucketOf(action)], clock);
          buckets.set(key, bucket);
        }
        const identity = `${account}/${scope.region}/${body.toString('utf8')}`;
        const throttled = !bucket.take();
        const params = Object.fromEntries([...form.entries()].filter(([k]) => k !== 'Action' && k !== 'Version'));
        const call: Ec2Call = { at: clock() - started, account, region: scope.region, action, params, throttled, retry: throttledBodies.has(identity) };
        calls.push(call);
        if (throttled) {
          paced?.answered(false);
          throttledBodies.add(identity);
          requestId += 1;
          res.writeHead(503, { 'content-type': 'text/xml' }).end(THROTTLED_BODY(`throttled-${requestId}`));
          return;
        }
        paced?.sent();
        const answer = await forward(req, body).finally(() => paced?.answered(true));
        // The caller's connection closed while moto answered (moto answers one request at a time): the answer goes nowhere.
        if (res.destroyed || req.socket.destroyed) call.unanswered = true;
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      const answer = await forward(req, body);
      res.writeHead(answer.status, answer.headers).end(answer.body);
    } catch (err) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${(err as Error).message}`);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    now: () => clock() - started,
    calls,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
