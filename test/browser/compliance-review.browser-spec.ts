import { readFileSync } from 'node:fs';
import { Page } from 'playwright-core';
import { ComplianceEventsService } from '../../src/modules/compliance/compliance-events.service';
import { Role } from '../../src/modules/users/user.entity';
import { BrowserHarness, describeBrowser, startHarness } from './harness';

/** Waits until the results table shows exactly one row, and it is this number's (not a stale one). */
const onlyRowFor = (page: Page, phone: string) =>
  page.waitForFunction((n) => {
    const rows = [...document.querySelectorAll('#cmp-table tbody tr')];
    return rows.length === 1 && (rows[0].textContent ?? '').includes(n) && !document.querySelector('#cmp-table[aria-busy]');
  }, phone);

jest.setTimeout(90_000);

describeBrowser('compliance review: logs, reports, CSV export (headless Chromium)', () => {
  let hx: BrowserHarness;
  let page: Page;
  // Fictional 555-01xx numbers are refused as invalid; these are well-formed US numbers, used only in the test database.
  const numbers = ['+12126430143', '+13127740177', '+14158290199'];

  beforeAll(async () => {
    hx = await startHarness();
    const manager = await hx.t.tokenFor(Role.Manager);
    for (const [i, phone] of numbers.entries()) {
      await hx.t.http.post('/api/compliance/dnc').set('Authorization', `Bearer ${manager}`).send({ phone, scope: 'internal', reason: `asked by letter ${i + 1}` }).expect(201);
    }
    await hx.t.app.get(ComplianceEventsService).record({
      type: 'dial_blocked', reasonCode: 'dnc_internal', actor: 'dialer', phone: numbers[0], details: { detail: 'on the internal list', checkedAt: new Date().toISOString() },
    });
    ({ page } = await hx.loginAs(Role.Compliance));
    await page.waitForLoadState('networkidle');
  });
  afterAll(() => hx?.close());

  it('lists the DNC changes with who and why, filters by number, and pages', async () => {
    const rows = page.locator('#cmp-table tbody tr');
    await rows.first().waitFor();
    for (const n of numbers) await page.locator('#cmp-table').getByText(n).waitFor();
    await expect(page.locator('#cmp-table').textContent()).resolves.toContain('asked by letter 2');
    await expect(page.locator('#cmp-table').textContent()).resolves.toContain('Test manager');
    await hx.screenshot(page, 'compliance-dnc');

    await page.getByLabel('Number').fill(numbers[1]);
    await page.getByRole('button', { name: 'Search' }).click();
    await onlyRowFor(page, numbers[1]);
    await expect(page.locator('#cmp-count').textContent()).resolves.toBe('1 records');

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Per page').selectOption('25');
    await page.waitForFunction(() => /Page 1 of/.test(document.querySelector('#page-info')?.textContent ?? ''));
    await expect(page.getByRole('button', { name: 'Previous' }).isDisabled()).resolves.toBe(true);
  });

  it('exports the filtered DNC log as CSV, and the export itself is recorded', async () => {
    await page.getByLabel('Number').fill(numbers[2]);
    await page.getByRole('button', { name: 'Search' }).click();
    await onlyRowFor(page, numbers[2]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('dnc-log.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toContain('event_id,occurred_at,type,reason_code,phone');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(numbers[2]);
    expect(lines[1]).toContain('asked by letter 3');
    const [exp] = await hx.t.db.query(`SELECT reason_code, details FROM compliance_events WHERE type = 'export' ORDER BY id DESC LIMIT 1`);
    expect(exp.reason_code).toBe('dnc_log');
  });

  it('shows blocked dials with their reason, the abandon report and calls outside hours', async () => {
    await page.getByRole('link', { name: 'Blocked dials' }).click();
    // Other suites of this run share the database: look at this number's record.
    await page.locator('#cmp-table thead').getByText('Detail').waitFor();
    await page.getByLabel('Number').fill(numbers[0]);
    await page.getByRole('button', { name: 'Search' }).click();
    await onlyRowFor(page, numbers[0]);
    await expect(page.locator('#cmp-table tbody').textContent()).resolves.toContain('Internal DNC');
    await hx.screenshot(page, 'compliance-blocked');

    await page.getByRole('link', { name: 'Abandon rate' }).click();
    await page.locator('#cmp-table thead').getByText('FCC: rolling 30 days').waitFor();
    await page.locator('#cmp-summary').getByText(/47 CFR 64\.1200\(a\)\(7\)/).waitFor();
    await hx.screenshot(page, 'compliance-abandon');

    await page.getByRole('link', { name: 'Outside hours' }).click();
    // Other suites share this database: the callout must tell what the report says, whatever that is.
    await page.locator('#cmp-summary .callout').waitFor();
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const report = await page.evaluate((f) => fetch(`/api/compliance/reports/outside-hours?from=${f}&to=${new Date().toISOString()}`).then((r) => r.json()), from);
    const callout = await page.locator('#cmp-summary .callout').textContent();
    if (report.total === 0) expect(callout).toBe('No call was placed outside permitted hours in this period.');
    else expect(callout).toBe(`${report.total} calls were placed outside permitted hours.`);
    await hx.screenshot(page, 'compliance-hours');
  });

  it('filters blocked dials by number and reason, and pages through them', async () => {
    const events = hx.t.app.get(ComplianceEventsService);
    const phone = '+13127740166';
    for (let i = 0; i < 26; i++) {
      await events.record({ type: 'dial_blocked', reasonCode: 'outside_hours', actor: 'dialer', phone, details: { detail: `window closed ${i}`, checkedAt: new Date().toISOString() } });
    }
    await events.record({ type: 'dial_blocked', reasonCode: 'dnc_internal', actor: 'dialer', phone, details: { detail: 'on the internal list', checkedAt: new Date().toISOString() } });
    await page.getByRole('link', { name: 'Blocked dials' }).click();
    await page.locator('#cmp-table thead').getByText('Detail').waitFor();
    await page.getByLabel('Number').fill(phone);
    await page.getByLabel('Reason').selectOption('outside_hours');
    await page.getByLabel('Per page').selectOption('25');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelector('#cmp-count')?.textContent === '26 records' && !document.querySelector('#cmp-table[aria-busy]'));
    await expect(page.locator('#page-info').textContent()).resolves.toBe('Page 1 of 2');
    await expect(page.locator('#cmp-table tbody tr').count()).resolves.toBe(25);
    await expect(page.locator('#cmp-table tbody').textContent()).resolves.not.toContain('Internal DNC');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForFunction(() => document.querySelector('#page-info')?.textContent === 'Page 2 of 2' && document.querySelectorAll('#cmp-table tbody tr').length === 1);
    await expect(page.locator('#cmp-table tbody').textContent()).resolves.toContain('Outside calling hours');
    await expect(page.getByRole('button', { name: 'Next' }).isDisabled()).resolves.toBe(true);
    await hx.screenshot(page, 'compliance-blocked-page2');
    await page.getByRole('button', { name: 'Clear' }).click();
  });

  it('never shows a slow answer for the previous view under the new view’s headings', async () => {
    // The DNC log answers late (after the officer already switched to blocked dials).
    await page.route('**/api/compliance/log/dnc?*', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue().catch(() => undefined);
    });
    await page.goto('/compliance#dnc');
    await page.getByRole('link', { name: 'Blocked dials' }).click();
    await page.locator('#cmp-table thead').getByText('Detail').waitFor();
    await page.waitForTimeout(2500);
    await expect(page.locator('#cmp-table thead').textContent()).resolves.toContain('Detail');
    await expect(page.locator('#cmp-table tbody').textContent()).resolves.not.toContain('Added');
    await expect(page.locator('#cmp-table tbody').textContent()).resolves.toContain('Internal DNC');
    await page.unroute('**/api/compliance/log/dnc?*');
  });

  it('shows who read which customer data: a manager\'s lead view and search by number, filtered and exported', async () => {
    const phone = '+16172530148';
    const [list] = await hx.t.db.query(`INSERT INTO lead_lists (name) VALUES ('Access audit') RETURNING id`);
    const [lead] = await hx.t.db.query(`INSERT INTO leads (list_id, phone, country) VALUES ($1, $2, 'US') RETURNING id::text AS id`, [list.id, phone]);
    const manager = { Authorization: `Bearer ${await hx.t.tokenFor(Role.Manager)}` };
    await hx.t.http.get(`/api/leads/${lead.id}`).set(manager).expect(200);
    await hx.t.http.get('/api/leads').query({ phone: '(617) 253-0148' }).set(manager).expect(200);

    await page.getByRole('link', { name: 'Data access' }).click();
    await page.getByLabel('Number').fill(phone);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#cmp-table tbody tr').length === 2 && !document.querySelector('#cmp-table[aria-busy]'));
    const rows = await page.locator('#cmp-table tbody tr').allTextContents();
    expect(rows.some((r) => r.includes('Lead opened') && r.includes('Test manager') && r.includes('Manager') && r.includes(phone) && r.includes(lead.id))).toBe(true);
    expect(rows.some((r) => r.includes('Search by number') && r.includes('1 found'))).toBe(true);
    await hx.screenshot(page, 'compliance-data-access');
    // The officer's own search of the DNC log for a number (first test) is in the trail too.
    await page.getByLabel('Number').fill(numbers[1]);
    await page.getByLabel('Reason').selectOption({ label: 'Compliance log search' });
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction((n) => {
      const rows = [...document.querySelectorAll('#cmp-table tbody tr')].map((r) => r.textContent ?? '');
      return rows.some((r) => r.includes(n) && r.includes('Test compliance') && r.includes('DNC log: 1 rows'));
    }, numbers[1]);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Number').fill(phone);

    await page.getByLabel('Reason').selectOption({ label: 'Lead opened' });
    await page.getByRole('button', { name: 'Search' }).click();
    await onlyRowFor(page, phone);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('data_access-log.csv');
    const lines = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('data_access,lead_view');
    expect(lines[1]).toContain(phone);
  });

  it('is read-only: the compliance officer cannot add to the DNC list', async () => {
    const res = await page.evaluate(() =>
      fetch('/api/compliance/dnc', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ phone: '+12125550100', scope: 'internal', reason: 'try' }) }).then((r) => r.status),
    );
    expect(res).toBe(403);
  });
});
