import { Role } from '../../src/modules/users/user.entity';
import { Page } from 'playwright-core';
import { makeCampaign } from '../integration/dialer-fixtures';
import { BrowserHarness, describeBrowser, PASSWORD, startHarness } from './harness';

jest.setTimeout(120_000);

/**
 * An admin disables a user, or changes their role, while their page is open: the page's event stream is closed by
 * the server ('session.ended') and the page leaves for the login page at once (before: the agent desk stayed open,
 * showing the last customer, until the user happened to click something).
 */
describeBrowser('open pages of a user an admin disables or moves to another role (headless Chromium)', () => {
  let hx: BrowserHarness;
  let admin: { Authorization: string };

  beforeAll(async () => {
    hx = await startHarness();
    admin = { Authorization: `Bearer ${await hx.t.tokenFor(Role.Admin)}` };
  });
  afterAll(() => hx?.close());

  /** A fresh user (loginAs keeps one user per role, and these tests disable or move theirs), signed in on their page. */
  async function freshUserPage(role: Role, home: string): Promise<{ page: Page; user: { id: string } }> {
    const email = `page-${role}-${Date.now()}-${Math.random().toString(36).slice(2)}@test.local`;
    const created = await hx.t.http.post('/api/users').set(admin).send({ email, displayName: 'Page User', role, password: PASSWORD }).expect(201);
    const context = await hx.browser.newContext({ baseURL: hx.baseUrl, locale: 'en', timezoneId: 'UTC' });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === home), page.getByRole('button', { name: 'Sign in' }).click()]);
    return { page, user: { id: created.body.id } };
  }
  const freshAgentDesk = () => freshUserPage(Role.Agent, '/agent');

  it('the agent desk of a disabled agent lands on the login page within seconds, and its session is gone', async () => {
    const { page, user } = await freshAgentDesk();
    await page.waitForFunction(() => document.body.classList.contains('page-agent'));
    await new Promise((r) => setTimeout(r, 500)); // the event stream is open
    const changedAt = Date.now();
    await hx.t.http.patch(`/api/users/${user.id}`).set(admin).send({ active: false }).expect(200);
    await page.waitForURL((u) => u.pathname === '/login', { timeout: 5000 });
    expect(Date.now() - changedAt).toBeLessThan(5000);
    await page.getByLabel('Password', { exact: true }).waitFor();
    // The session cookie was cleared: the desk is not reachable with it any more.
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'dialer_token')).toBeUndefined();
    await hx.screenshot(page, 'agent-disabled-login');
    await page.context().close();
  });

  it('the agent desk of an agent made a compliance officer leaves the desk (through /login to the compliance page)', async () => {
    const { page, user } = await freshAgentDesk();
    await page.waitForFunction(() => document.body.classList.contains('page-agent'));
    await new Promise((r) => setTimeout(r, 500));
    await hx.t.http.patch(`/api/users/${user.id}`).set(admin).send({ role: Role.Compliance }).expect(200);
    await page.waitForURL((u) => u.pathname === '/compliance', { timeout: 5000 });
    await page.context().close();
  });

  it('the manager console of a disabled manager (live dashboard open) lands on the login page', async () => {
    await makeCampaign(hx.t.db, { ok: 1, mode: 'preview' });
    const { page, user } = await freshUserPage(Role.Manager, '/manager');
    await page.locator('#dash-conn[data-state="open"]').waitFor({ timeout: 10_000 });
    await hx.t.http.patch(`/api/users/${user.id}`).set(admin).send({ active: false }).expect(200);
    await page.waitForURL((u) => u.pathname === '/login', { timeout: 5000 });
    await page.context().close();
  });
});
