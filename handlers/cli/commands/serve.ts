import type { AddressInfo } from 'node:net';
import { hostname as machineName, networkInterfaces, userInfo } from 'node:os';
import { join } from 'node:path';
import type { createWebApp } from '../../web/app.js';
import { actionDeps, type Command, type Context, deliverQueued, withBackend } from '../context.js';
import { UsageError } from '../errors.js';
import { PROJECT_ROOT } from '../paths.js';

const DEFAULT_PORT = 8733;

export const serveCommand: Command = {
  name: 'serve',
  section: 'main',
  usage: `  datalek serve [--port N] [--by NAME] [--host ADDR]
                                             the web page for the FG and on-call, on 127.0.0.1 (default port ${DEFAULT_PORT});
                                             prints the one URL that opens it (it holds a session token)`,
  flags: { port: { type: 'string' }, host: { type: 'string' }, by: { type: 'string' } },
  positionals: 'none',
  check(flags, target) {
    port(flags.port);
    if (flags.host !== undefined && !/^[\w.:-]+$/.test(String(flags.host)))
      throw new UsageError(`--host must be an IP address or a name, got ${JSON.stringify(flags.host)}`);
    if (target === 'aws' && flags.by !== undefined)
      throw new UsageError('--by cannot be used with --target aws: you act as the AWS identity whose credentials you use');
  },
  run: serve,
};

function port(value: unknown): number {
  if (value === undefined) return DEFAULT_PORT;
  if (typeof value !== 'string' || !/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`--port must be a port number from 0 to 65535 (0: any free port), got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * 1. Opens the store for writing (it must exist: the page has nothing to show before a replay).
 * 2. Finds who acts: `--by` or the OS user; on AWS the identity of the credentials (STS).
 * 3. Listens on 127.0.0.1 (another address only when `--host` says so) and prints the URL with a
 *    new random session token; nothing is served without it.
 * 4. Serves until Ctrl-C (SIGINT) or SIGTERM, then closes the store.
 */
async function serve(ctx: Context): Promise<number> {
  const { flags, io } = ctx;
  const host = (flags.host as string | undefined) ?? '127.0.0.1';
  // The store must exist (the page has nothing to show before the first replay); a --now ahead of
  // the system clock is refused on a real store, as for every command that records something.
  // The web server and the page load here, for this command only: the others start without them.
  const [{ createAdaptorServer }, { createWebApp }, { allowedHosts, isLoopback, newSession }] = await Promise.all([
    import('@hono/node-server'),
    import('../../web/app.js'),
    import('../../web/security.js'),
  ]);
  return withBackend(ctx, 'write', async (backend) => {
    const actor =
      ctx.target === 'aws' ? await (await import('../aws-backend.js')).callerArn(io.env) : ((flags.by as string | undefined) ?? userInfo().username);
    if (!actor.trim()) throw new UsageError('--by must name the person who acts');
    const session = newSession();
    const deps = actionDeps(ctx, backend);

    let app: ReturnType<typeof createWebApp> | undefined;
    const server = createAdaptorServer({
      fetch: (request, env) => (app ? app.fetch(request, env) : new Response('starting', { status: 503 })),
      hostname: host,
    });
    const listening = await new Promise<AddressInfo>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') reject(new UsageError(`port ${port(flags.port)} on ${host} is in use: choose another with --port N (0: any free port)`));
        else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new UsageError(`--host ${host} is not an address of this machine`));
        else if (err.code === 'EACCES') reject(new UsageError(`port ${port(flags.port)} needs privileges: choose one above 1023 with --port N`));
        else reject(err);
      });
      server.listen(port(flags.port), host, () => resolve(server.address() as AddressInfo));
    });

    const hosts = [...allowedHosts(host, listening.port), ...(isUnspecified(host) ? machineHosts(listening.port, allowedHosts) : [])];
    app = createWebApp({
      ...deps,
      actor,
      target: ctx.target,
      live: flags.now === undefined,
      session,
      hosts,
      port: listening.port,
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

    const shown = isUnspecified(host) || !isLoopback(host) ? hosts[0] : `${host.includes(':') ? `[${host}]` : host}:${listening.port}`;
    const url = `http://${shown}/?token=${session.token}`;
    if (flags.json) io.out(JSON.stringify({ url, port: listening.port, host, actor, target: ctx.target }));
    else {
      io.out(`datalek serve: the web page for the FG and on-call, on ${ctx.target === 'aws' ? 'AWS (DynamoDB)' : `the store in ${ctx.storeDir}`}.`);
      io.out('Open this address in your browser. It holds the session token: whoever has it can act as you, so keep it to yourself.');
      io.out(`\n    ${url}\n`);
      io.out(`You act as ${actor}. Stop with Ctrl-C.`);
    }
    if (!isLoopback(host)) {
      io.err(
        `datalek serve: listening on ${host}, not only on this machine: anyone who can reach it and has the URL can act as ${actor}, and HTTP is not encrypted. Prefer the default (127.0.0.1) with an SSH tunnel.`,
      );
    }

    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  });
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
