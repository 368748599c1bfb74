/**
 * `datalek serve` as a person starts it: a separate process, whose printed URL (with `--json`, one
 * line) the test opens. `request` sends exactly the headers a test gives (including a foreign Host),
 * which fetch does not allow.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export interface Served {
  url: string;
  origin: string;
  /** The address the page listens on (a loopback address of its own unless `--host` says otherwise). */
  host: string;
  port: number;
  token: string;
  actor: string;
  stderr: () => string;
  stop: () => Promise<void>;
}

export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin/datalek.mjs'), 'serve', '--port', '0', '--json', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(stdout.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    child.on('error', reject);
  });
  const printed = JSON.parse(line) as { url: string; port: number; actor: string; host: string };
  const url = new URL(printed.url);
  return {
    url: printed.url,
    origin: url.origin,
    host: printed.host,
    port: printed.port,
    token: url.searchParams.get('token') as string,
    actor: printed.actor,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request with exactly these headers (Host included; an empty one is left out), no
 * redirect followed: to a served page (its own address), or to a port on 127.0.0.1.
 */
export function request(
  to: number | { host: string; port: number },
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const { host, port } = typeof to === 'number' ? { host: '127.0.0.1', port: to } : to;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host,
        port,
        path,
        method: options.method ?? 'GET',
        // An empty Host sends none at all (node would otherwise add its own).
        setHost: false,
        headers: Object.fromEntries(
          Object.entries({
            host: `${host}:${port}`,
            ...options.headers,
            ...(options.body ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}),
          }).filter(([, v]) => v !== ''),
        ),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

/** Signs in with the printed URL: the cookie the server sets, for the next requests. */
export async function signIn(served: Served): Promise<string> {
  const reply = await request(served, `/?token=${encodeURIComponent(served.token)}`);
  const setCookie = reply.headers['set-cookie']?.[0] ?? '';
  return setCookie.split(';')[0];
}

/** The CSRF token of the forms on a page. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1];
}

/** What a form on a page was drawn from (its `_base` field, for a form that records only what changed), or nothing. */
export function formBase(html: string, formId: string): { _base?: string } {
  const form = new RegExp(`<form [^>]*id="${formId}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  const m = form && /name="_base" value="([^"]*)"/.exec(form[1]);
  if (!m) return {};
  return { _base: decodeEntities(m[1]) };
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** The text a person reads on a page: tags dropped, entities decoded, spaces collapsed. */
export function pageText(html: string): string {
  return decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
}

/** The text of a field of a form on a page: a textarea's content or an input's value. */
export function fieldText(html: string, form: string, field: string): string | null {
  const body = new RegExp(`<form [^>]*id="${form}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1] ?? '';
  const m =
    new RegExp(`<textarea [^>]*name="${field}"[^>]*>([^<]*)</textarea>`).exec(body) ?? new RegExp(`<input [^>]*name="${field}"[^>]*value="([^"]*)"`).exec(body);
  return m ? pageText(m[1]).trim() : null;
}

/** The characters the page escapes (hono's JSX), back as they were. */
function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
