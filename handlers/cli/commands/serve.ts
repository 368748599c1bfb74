import type { AddressInfo } from 'node:net';
import { hostname as machineName, networkInterfaces, userInfo } from 'node:os';
import { join } from 'node:path';
import type { createAdaptorServer, ServerType } from '@hono/node-server';
import type { WebDeps } from '../../web/app.js';
import { actionDeps } from '../action-deps.js';
import { type Context, deliverQueued, withBackend } from '../context.js';
import { UsageError } from '../errors.js';
import { pageFgState } from '../fg-role.js';
import { PROJECT_ROOT } from '../paths.js';
import { port } from './flag-values.js';

/**
 * 1. Opens the store for writing (it must exist: the page has nothing to show before a replay).
 * 2. Finds who acts: `--by` or the OS user; on AWS the identity of the credentials (STS).
 * 3. Listens on a random loopback address of its own (another address only when `--host` says
 *    so), and on 127.0.0.1 for the pages' links alone; prints the URL with a new random session
 *    token; nothing but the links is served without it.
 * 4. Serves until Ctrl-C (SIGINT) or SIGTERM, then closes the store.
 */
export async function serve(ctx: Context): Promise<number> {
  const { flags, io } = ctx;
  // The store must exist (the page has nothing to show before the first replay); a --now ahead of
  // the system clock is refused on a real store, as for every command that records something.
  // The web server and the page load here, for this command only: the others start without them.
  const [{ createAdaptorServer }, { createWebApp }, { allowedHosts, isLoopback, newSession, randomLoopbackAddress }] = await Promise.all([
    import('@hono/node-server'),
    import('../../web/app.js'),
    import('../../web/security.js'),
  ]);
  return withBackend(ctx, 'write', async (backend) => {
    // On AWS the caller STS named when the backend opened (its entries name it as `caller` too).
    const actor = backend.caller ?? (flags.by as string | undefined) ?? userInfo().username;
    if (!actor.trim()) throw new UsageError('--by must name the person who acts');
    const session = newSession();
    const deps = actionDeps(ctx, backend);
    // On AWS, whether the page writes as the FG's role: if not, it shows the FG's forms read-only
    // rather than offer what its store would refuse (fgrole item 5). A deployment naming no FG role: none may.
    // Asked on each request: a lookup that failed (throttled, an expired token, no
    // dynamodb:ListTagsOfResource) is said on the page by its error, and asked again (review27 finalA #4).
    const caller = backend.caller;
    const fgRole = backend.fgRole;
    const fgState = caller && fgRole ? () => pageFgState(caller, fgRole) : undefined;

    const fixed = flags.host as string | undefined;
    const servers: ServerType[] = [];
    const listen = listener(createAdaptorServer, servers);
    const webDeps = (hosts: string[], listeningPort: number): WebDeps => ({
      ...deps,
      actor,
      target: ctx.target,
      ...(fgState ? { fgState } : {}),
      live: flags.now === undefined,
      session,
      hosts,
      port: listeningPort,
      runbooksDir: join(PROJECT_ROOT, 'runbooks'),
      deliver: async () => {
        await deliverQueued(ctx, backend, {}, backend.notifier(io.err));
      },
      log: io.err,
      // The incident page checks its record against its ledger, as `datalek verify ID` does.
      audit: backend.audit,
      drill: backend.drill,
      // Pages' signed links (and the pager's webhooks) are served here too, without the session.
      ...(backend.linkKey ? { linkKey: backend.linkKey, webhookSecret: backend.webhookSecret } : {}),
    });

    // By default the page gets a loopback address of its own (security.ts `randomLoopbackAddress`):
    // the session cookie then goes to no other local service. The links sent from this machine
    // point at 127.0.0.1 (DATALEK_LINK_URL aside): that address serves them, and nothing else.
    let host = fixed ?? '127.0.0.1';
    let alone = '';
    let page: Bound;
    try {
      const first = await listen(host, port(flags.port));
      page = first;
      if (fixed === undefined) {
        const own = await listen(randomLoopbackAddress(), first.port).catch((err: NodeJS.ErrnoException) => {
          // A system whose loopback is 127.0.0.1 alone (macOS): the page shares it, and says so.
          if (err.code !== 'EADDRNOTAVAIL') throw err;
          alone =
            'datalek serve: this system has no loopback address besides 127.0.0.1, so the page listens there: its session cookie also goes to any other service your browser opens on 127.0.0.1 or localhost. Open no other local service in this browser while it runs.';
          return null;
        });
        if (own) {
          page = own;
          host = own.host;
          first.serve(createWebApp({ ...webDeps(allowedHosts('127.0.0.1', first.port), first.port), linksOnly: true }));
        }
      }
    } catch (err) {
      for (const server of servers) server.close();
      throw listenError(err as NodeJS.ErrnoException, host, port(flags.port));
    }
    const hosts = [...allowedHosts(host, page.port), ...(isUnspecified(host) ? machineHosts(page.port, allowedHosts) : [])];
    page.serve(createWebApp(webDeps(hosts, page.port)));
    const shown = isUnspecified(host) || !isLoopback(host) ? hosts[0] : `${host.includes(':') ? `[${host}]` : host}:${page.port}`;
    const url = `http://${shown}/?token=${session.token}`;
    if (flags.json) io.out(JSON.stringify({ url, port: page.port, host, actor, target: ctx.target }));
    else {
      io.out(`datalek serve: the web page for the FG and on-call, on ${ctx.target === 'aws' ? 'AWS (DynamoDB)' : `the store in ${ctx.storeDir}`}.`);
      io.out('Open this address in your browser. It holds the session token: whoever has it can act as you, so keep it to yourself.');
      io.out(`\n    ${url}\n`);
      io.out(`You act as ${actor}. Stop with Ctrl-C.`);
    }
    if (alone) io.err(alone);
    if (!isLoopback(host)) {
      io.err(
        `datalek serve: listening on ${host}, not only on this machine: anyone who can reach it and has the URL can act as ${actor}, and HTTP is not encrypted. Prefer the default (a loopback address) with an SSH tunnel.`,
      );
    }

    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        let open = servers.length;
        for (const server of servers) {
          server.close(() => {
            if (--open === 0) resolve();
          });
          if ('closeAllConnections' in server) server.closeAllConnections();
        }
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  });
}

interface Bound {
  host: string;
  port: number;
  /** Hands the listener the app that answers it (until then it answers 503). */
  serve: (app: { fetch: (request: Request, env: unknown) => Response | Promise<Response> }) => void;
}

/** Listens on an address and port (0: any free one), keeping each server in `servers`; rejects with node's own error. */
function listener(create: typeof createAdaptorServer, servers: ServerType[]) {
  return (address: string, portNumber: number) =>
    new Promise<Bound>((resolve, reject) => {
      let app: Parameters<Bound['serve']>[0] | undefined;
      const server = create({ fetch: (request, env) => (app ? app.fetch(request, env) : new Response('starting', { status: 503 })), hostname: address });
      server.once('error', reject);
      server.listen(portNumber, address, () => {
        servers.push(server);
        const { port: bound } = server.address() as AddressInfo;
        resolve({
          host: address,
          port: bound,
          serve: (a) => {
            app = a;
          },
        });
      });
    });
}

function listenError(err: NodeJS.ErrnoException, host: string, portNumber: number): Error {
  if (err.code === 'EADDRINUSE') return new UsageError(`port ${portNumber} on ${host} is in use: choose another with --port N (0: any free port)`);
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') return new UsageError(`--host ${host} is not an address of this machine`);
  if (err.code === 'EACCES') return new UsageError(`port ${portNumber} needs privileges: choose one above 1023 with --port N`);
  return err;
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** Listening on every interface: the browser may name the machine by any of its addresses. */
function machineHosts(port: number, allowedHosts: (host: string, port: number) => string[]): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined)
    .map((a) => a.address);
  return [...new Set([machineName(), ...addresses])].flatMap((a) => allowedHosts(a, port));
}
