import Redis from 'ioredis';
import { existsSync, mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { AppRoles } from '../../src/app.module';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const SCREENSHOTS = join(__dirname, '..', 'artifacts', 'screenshots');
export const PASSWORD = 'correct horse battery staple';

/** describe() when Chromium is installed; otherwise a loud SKIPPED line and describe.skip. */
export function describeBrowser(name: string, fn: () => void): void {
  if (!HAS_CHROMIUM) {
    // eslint-disable-next-line no-console
    console.warn(`\n\n*** SKIPPED: browser tests "${name}" need ${CHROMIUM} (install: scripts/setup.sh --with-browser) ***\n\n`);
    describe.skip(name, fn);
    return;
  }
  describe(name, fn);
}

export interface BrowserHarness {
  t: TestApp;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (own cookies) logged in through the login page as a new user of this role. */
  loginAs(role: Role, lang?: 'en' | 'zh-CN'): Promise<{ context: BrowserContext; page: Page; user: { id: string; email: string } }>;
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/** Boots the real app on a real port and launches headless Chromium. */
export async function startHarness(roles: AppRoles = { api: true, worker: false }, env: NodeJS.ProcessEnv = {}): Promise<BrowserHarness> {
  const t = await createTestApp(roles, { LOGIN_RATE_LIMIT: '1000', ...env });
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const contexts: BrowserContext[] = [];

  return {
    t,
    baseUrl,
    browser,
    async loginAs(role, lang = 'en') {
      const user = await t.userFor(role);
      const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 }, locale: lang, timezoneId: 'UTC' });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel(lang === 'en' ? 'E-mail' : '电子邮箱').fill(user.email);
      await page.getByLabel(lang === 'en' ? 'Password' : '密码', { exact: true }).fill(PASSWORD);
      await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.getByRole('button', { name: lang === 'en' ? 'Sign in' : '登录' }).click()]);
      return { context, page, user };
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await t.close();
      // A suite that ran under its own Redis prefix cleans it up (the global teardown knows only the run's).
      const prefix = env.QUEUE_PREFIX;
      if (prefix && prefix !== process.env.QUEUE_PREFIX && prefix.startsWith('test_')) await dropRedisPrefix(prefix);
    },
  };
}

async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

/**
 * Focuses the first control of `form`, then presses Tab until focus leaves it. Returns the controls reached (in
 * order), the controls a keyboard user must be able to reach (visible, enabled) and those reached without an
 * accessible name (label, aria-label, aria-labelledby, or a button's text).
 */
export async function tabThrough(page: Page, form: string): Promise<{ reached: string[]; expected: string[]; unnamed: string[] }> {
  const expected: string[] = await page.evaluate((sel) => {
    let n = 0;
    return [...document.querySelector(sel)!.querySelectorAll('input, select, textarea, button, a[href]')]
      .filter((el) => !(el as HTMLInputElement).disabled && (el as HTMLElement).offsetParent !== null && (el as HTMLInputElement).type !== 'hidden')
      .filter((el) => !((el as HTMLInputElement).type === 'radio' && !(el as HTMLInputElement).checked)) // one stop per radio group
      .map((el) => (el.id ||= `tab-walk-${++n}`));
  }, form);
  await page.evaluate((id) => document.getElementById(id)!.focus(), expected[0]);
  const reached: string[] = [];
  const unnamed: string[] = [];
  for (let i = 0; i < expected.length * 6 + 20; i++) {
    const now: { id: string; inside: boolean; name: string } = await page.evaluate((sel) => {
      const el = document.activeElement as HTMLInputElement | null;
      if (!el) return { id: '', inside: false, name: '' };
      const byIds = (ids: string | null) => (ids ?? '').split(/\s+/).map((x) => document.getElementById(x)?.textContent ?? '').join(' ');
      const name = [byIds(el.getAttribute('aria-labelledby')), el.getAttribute('aria-label') ?? '', ...[...(el.labels ?? [])].map((l) => l.textContent ?? ''),
        el.tagName === 'BUTTON' || el.tagName === 'A' ? el.textContent ?? '' : ''].join(' ').trim();
      return { id: el.id, inside: !!document.querySelector(sel)?.contains(el), name };
    }, form);
    if (!now.inside) break;
    // Date and time inputs take several Tab presses (one per part): count each control once.
    if (reached[reached.length - 1] !== now.id) {
      reached.push(now.id);
      if (!now.name) unnamed.push(now.id);
    }
    await page.keyboard.press('Tab');
  }
  return { reached, expected, unnamed };
}
