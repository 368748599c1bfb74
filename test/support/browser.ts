/// <reference lib="dom" />
// (The functions passed to page.evaluate run in the browser: they use its DOM.)
/**
 * Headless Chromium from Debian's package, driven by playwright-core (a browser download cannot work
 * here). Where chromium is missing the browser tests are skipped, except under CI=true, where they
 * must run (`.ci/run` installs it).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, CHROMIUM_FOUND } from './chromium.js';
import { type inProcessWebApp, listenInProcess } from './web-app.js';

if (!CHROMIUM_FOUND && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing, and CI=true: the browser tests must run (apt-get install chromium)`);

export const CHROMIUM_AVAILABLE = CHROMIUM_FOUND;

/** A test file's Chromium: its own contexts (cookies, storage, permissions) in the worker's browser; `close` closes them. */
export interface FileBrowser {
  newContext(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
  /** A page in a context of its own, as Browser.newPage. */
  newPage(options?: Parameters<Browser['newContext']>[0]): Promise<Page>;
  close(): Promise<void>;
}

/**
 * The browser this process launched, kept on the process, not the module: a worker shared by
 * several files evaluates this module again for each (vitest.config.ts), and a launch costs about
 * two seconds of CPU, which each browser file paid. Playwright stops it when the process exits.
 */
const BROWSER_KEY = Symbol.for('datalek.test.chromium');
const held = globalThis as unknown as Record<symbol, Promise<Browser> | undefined>;

async function workerChromium(): Promise<Browser> {
  const running = await held[BROWSER_KEY]?.catch(() => undefined);
  if (running?.isConnected()) return running;
  const launched = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  held[BROWSER_KEY] = launched;
  return launched;
}

/**
 * Headless Chromium for one test file. Every page it opens is in a context of the file's own, a
 * fresh profile as a browser of its own would be (nothing of another file's cookies, storage or
 * permissions is in it), in the one browser the worker keeps for its files.
 */
export async function launchChromium(): Promise<FileBrowser> {
  const browser = await workerChromium();
  const contexts: BrowserContext[] = [];
  const newContext = async (options?: Parameters<Browser['newContext']>[0]) => {
    const context = await browser.newContext(options);
    contexts.push(context);
    return context;
  };
  return {
    newContext,
    newPage: async (options) => (await newContext(options)).newPage(),
    close: async () => {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
    },
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's violations of impact serious or critical on the page. The script is evaluated through
 * the DevTools protocol, so the page's Content-Security-Policy stays as it is, and once per document:
 * a page checked again without a navigation keeps it.
 *
 * Only the rules that can report such a violation run. axe gives every check of a rule that states
 * its impact that impact (its `_finalizeRuleResult`), and every rule of axe 4 states one: a rule of
 * impact minor or moderate never reports serious or critical, and its run was thrown away. They
 * were 26 of the 90 rules run, and half of Chromium's CPU in test/integration/serve-browser.test.ts
 * went to axe (25 of 51 s, 1 December). A rule without a stated impact still runs.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => typeof (globalThis as unknown as { axe?: { run?: unknown } }).axe?.run === 'function'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          _audit: { rules: { id: string; impact?: string | null }[] };
          run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const mild = axe._audit.rules.filter((r) => r.impact === 'minor' || r.impact === 'moderate').map((r) => [r.id, { enabled: false }]);
    const result = await axe.run(document, { resultTypes: ['violations'], rules: Object.fromEntries(mild) });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Presses Tab until the element matching `selector` has the focus; fails if it never gets it. */
export async function tabTo(page: Page, selector: string, max = 400): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} never got the focus from the keyboard`);
}

/**
 * Every control a person can use on the page (links, buttons, fields, summaries) that is not
 * reached by pressing Tab from the top of the page; empty when the keyboard reaches them all.
 */
export async function unreachableByKeyboard(page: Page): Promise<string[]> {
  const all: string[] = await page.evaluate(() => {
    const controls = [...document.querySelectorAll<HTMLElement>('a[href], button, input:not([type=hidden]), select, textarea, summary')];
    return controls
      .filter((el) => !el.hidden && el.offsetParent !== null && !(el as HTMLInputElement).disabled)
      .map((el, i) => {
        el.dataset.kbd = String(i);
        return String(i);
      });
  });
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const reached = new Set<string>();
  for (let i = 0; i < all.length * 2 + 10; i++) {
    await page.keyboard.press('Tab');
    const key = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kbd ?? null);
    if (key !== null) reached.add(key);
    if (reached.size === all.length) break;
  }
  const missing = all.filter((k) => !reached.has(k));
  return page.evaluate((keys) => keys.map((k) => document.querySelector(`[data-kbd="${k}"]`)?.outerHTML.slice(0, 120) ?? k), missing);
}

/**
 * Opens `path` of the in-process web app (signed in) in headless Chromium, in Dutch and the
 * policy's zone, and hands the page to `use`; everything is closed after it, however it ends.
 */
export async function inBrowser(web: ReturnType<typeof inProcessWebApp>, path: string, use: (page: Page) => Promise<void>): Promise<void> {
  const listening = await listenInProcess(web);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
    context.setDefaultTimeout(5_000);
    const page = await context.newPage();
    await page.goto(listening.signIn(path));
    await use(page);
  } finally {
    await browser.close();
    await listening.close();
  }
}
