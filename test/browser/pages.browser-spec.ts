import { Page } from 'playwright-core';
import { Role } from '../../src/modules/users/user.entity';
import { BrowserHarness, describeBrowser, startHarness, tabThrough } from './harness';

jest.setTimeout(60_000);

/** Form controls (rendered or built by the page script) without a label, aria-label or aria-labelledby. */
const unlabelledControls = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('input, select, textarea'))
      .filter((el) => (el as HTMLInputElement).type !== 'hidden')
      .filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.id || el.outerHTML.slice(0, 80)),
  );

describeBrowser('web pages: login, roles, language (headless Chromium)', () => {
  let hx: BrowserHarness;
  beforeAll(async () => {
    hx = await startHarness();
  });
  afterAll(() => hx?.close());

  it('sends a visitor without a session to the login page, and the login page has labelled fields', async () => {
    const context = await hx.browser.newContext({ baseURL: hx.baseUrl });
    const page = await context.newPage();
    await page.goto('/manager');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/manager');
    await expect(page.getByLabel('E-mail').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Password').isVisible()).resolves.toBe(true);
    await hx.screenshot(page, 'login');
    await page.getByLabel('E-mail').fill('nobody@test.local');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });

  it.each([
    [Role.Agent, '/agent', 'Agent desktop'],
    [Role.Manager, '/manager', 'Manager console'],
    [Role.Compliance, '/compliance', 'Compliance review'],
    [Role.Admin, '/manager', 'Manager console'],
  ])('logs in as %s through the form and lands on %s with the token only in an HttpOnly SameSite=Strict cookie', async (role, home, title) => {
    const { context, page } = await hx.loginAs(role);
    expect(new URL(page.url()).pathname).toBe(home);
    await expect(page.title()).resolves.toContain(title);
    const cookie = (await context.cookies()).find((c) => c.name === 'dialer_token');
    expect(cookie).toBeDefined();
    expect(cookie!.httpOnly).toBe(true);
    expect(cookie!.sameSite).toBe('Strict');
    // Page scripts cannot read it.
    await expect(page.evaluate(() => document.cookie)).resolves.not.toContain('dialer_token');
    await page.waitForLoadState('networkidle');
    await hx.screenshot(page, `home-${role}`);
    await context.close();
  });

  it.each([
    [Role.Agent, '/manager'],
    [Role.Agent, '/compliance'],
    [Role.Manager, '/compliance'],
    [Role.Manager, '/agent'],
    [Role.Compliance, '/manager'],
    [Role.Compliance, '/agent'],
    [Role.Admin, '/agent'],
  ])('refuses %s the page %s server-side with 403 and no page script', async (role, path) => {
    const { context, page } = await hx.loginAs(role);
    const res = await page.goto(path);
    expect(res!.status()).toBe(403);
    const body = await res!.text();
    expect(body).toContain('Not allowed');
    expect(body).not.toMatch(/(agent|manager|compliance)\.js/);
    await expect(page.getByRole('heading', { name: 'Not allowed' }).isVisible()).resolves.toBe(true);
    if (role === Role.Agent && path === '/manager') await hx.screenshot(page, 'forbidden');
    await context.close();
  });

  it('logs out: the cookie is cleared and the pages need a login again', async () => {
    const { context, page } = await hx.loginAs(Role.Manager);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
    expect((await context.cookies()).find((c) => c.name === 'dialer_token')).toBeUndefined();
    await page.goto('/manager');
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });

  it('switches to Simplified Chinese and back; numbers and dates follow the language', async () => {
    const { context, page } = await hx.loginAs(Role.Compliance);
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('合规审查');
    await expect(page.getByRole('link', { name: '免打扰记录' }).isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('开始日期').isVisible()).resolves.toBe(true);
    // A string, so the test compiler leaves the browser's own dynamic import() alone.
    const formatted: { date: string; number: string } = await page.evaluate(`import('/assets/js/shell.js').then(({ fmt }) => ({
      date: fmt.dateTime('2026-03-05T14:30:00Z'), number: fmt.number(1234567.5) }))`);
    expect(formatted.date).toMatch(/2026年3月5日/);
    expect(formatted.number).toBe('1,234,567.5');
    await page.waitForLoadState('networkidle');
    await hx.screenshot(page, 'compliance-zh');
    // The choice survives a new page load, and the server renders the 403 page in it too.
    const forbidden = await page.goto('/agent');
    expect(forbidden!.status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('无权访问');
    await page.goto('/compliance');
    await page.getByLabel('语言').selectOption('en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Compliance review');
    await context.close();
  });

  it('shows the agent desktop and the manager console in Chinese too', async () => {
    for (const [role, title] of [[Role.Agent, '坐席工作台'], [Role.Manager, '管理控制台']] as const) {
      const { context, page } = await hx.loginAs(role);
      await page.getByLabel('Language').selectOption('zh-CN');
      await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
      await expect(page.title()).resolves.toContain(title);
      await page.waitForLoadState('networkidle');
      await hx.screenshot(page, `${role}-zh`);
      if (role === Role.Manager) {
        // The campaign form in Chinese, with its date-time, list and blackout controls labelled in Chinese.
        await page.getByRole('link', { name: '活动' }).click();
        await page.getByRole('button', { name: '新建活动' }).click();
        await expect(page.getByLabel('计划开始时间').isVisible()).resolves.toBe(true);
        await expect(page.getByLabel('通话录音').isVisible()).resolves.toBe(true);
        await expect(page.getByRole('button', { name: '添加禁拨日期' }).isVisible()).resolves.toBe(true);
        await expect(page.locator('#camp-starts-hint').textContent()).resolves.toContain('按活动时区（UTC）');
        await hx.screenshot(page, 'manager-campaigns-zh');
      }
      await context.close();
    }
  });

  it('is keyboard usable: the skip link comes first and reaches the main content', async () => {
    const { context, page } = await hx.loginAs(Role.Agent);
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');
    await expect(unlabelledControls(page)).resolves.toEqual([]);
    await context.close();
  });

  it('is keyboard usable: Tab walks every control of the campaign form, the import form and the compliance filters, each with an accessible name', async () => {
    const { context, page } = await hx.loginAs(Role.Manager);
    await page.getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('button', { name: 'New campaign' }).click();
    // A row of each kind: an outcome, a blackout date.
    await page.getByRole('button', { name: 'Add outcome' }).click();
    await page.getByRole('button', { name: 'Add blackout date' }).click();
    await page.waitForLoadState('networkidle');
    const camp = await tabThrough(page, '#camp-form');
    expect(camp.expected.length).toBeGreaterThan(40);
    expect(camp.reached).toEqual(camp.expected);
    expect(camp.reached).toEqual(expect.arrayContaining(['camp-name', 'camp-record', 'camp-starts', 'camp-ends', 'camp-blackout-add', 'camp-outcome-add', 'camp-save']));
    expect(camp.unnamed).toEqual([]);

    await page.getByRole('link', { name: 'Lead lists' }).click();
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'k.csv', mimeType: 'text/csv', buffer: Buffer.from('Phone,Name\n+12126430101,Ann\n') });
    // The page reads the file's header on its own time and then adds a mapping select per column.
    await page.locator('#map-1').waitFor();
    const upload = await tabThrough(page, '#upload-form');
    expect(upload.reached).toEqual(upload.expected);
    expect(upload.reached).toEqual(expect.arrayContaining(['upload-file', 'map-0', 'map-1', 'upload-submit']));
    expect(upload.unnamed).toEqual([]);
    await context.close();

    const cmp = await hx.loginAs(Role.Compliance);
    await cmp.page.waitForLoadState('networkidle');
    const filters = await tabThrough(cmp.page, '#cmp-filters');
    expect(filters.reached).toEqual(filters.expected);
    expect(filters.unnamed).toEqual([]);
    await cmp.context.close();
  });

  it('labels every form control of the manager console and the compliance review', async () => {
    const { context, page } = await hx.loginAs(Role.Admin);
    for (const tab of ['Campaigns', 'Lead lists', 'Scripts', 'Objections', 'Live dashboard']) {
      await page.getByRole('link', { name: tab }).click();
      await page.waitForLoadState('networkidle');
    }
    await expect(unlabelledControls(page)).resolves.toEqual([]);
    await page.goto('/compliance');
    await page.waitForLoadState('networkidle');
    await expect(unlabelledControls(page)).resolves.toEqual([]);
    await context.close();
  });
});
