import { readFileSync } from 'node:fs';
import { Page } from 'playwright-core';
import { LeadImportRunner } from '../../src/modules/leads/import/lead-import.runner';
import { Role } from '../../src/modules/users/user.entity';
import { BrowserHarness, describeBrowser, startHarness } from './harness';
import { isolateDatabase } from '../setup/isolated-db';

jest.setTimeout(90_000);

// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describeBrowser('manager console: scripts, campaigns, objections (headless Chromium)', () => {
  let hx: BrowserHarness;
  let page: Page;
  beforeAll(async () => {
    // With the worker: lead imports run as its jobs. Its own Redis prefix keeps its dialer from taking campaign
    // locks (and calls) of other suites running on the same database.
    hx = await startHarness({ api: true, worker: true }, { QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_mgr` });
    ({ page } = await hx.loginAs(Role.Manager));
  });
  afterAll(() => hx?.close());

  it('edits a script with live preview, shows a template error at its line, and saves version 1', async () => {
    await page.getByRole('link', { name: 'Scripts' }).click();
    await page.getByRole('button', { name: 'New script' }).click();
    await page.getByLabel('Script name').fill('Renewal script');
    const template = page.locator('#sec-0-template');
    await template.fill('Hello {{lead.firstName}}!\nYour plan is {{lead.nosuch}}.');
    const error = page.locator('#sec-0-err');
    await error.waitFor({ state: 'visible' });
    await expect(error.textContent()).resolves.toMatch(/line 2, column \d+.*nosuch/);
    await expect(page.locator('#script-sections .gutter span.bad').textContent()).resolves.toBe('2');
    await hx.screenshot(page, 'manager-scripts-error');

    await template.fill('Hello {{lead.firstName}}!\nThis is {{agent.firstName}} from {{campaign.name}}.');
    await page.locator('#script-preview').getByText('Hello Alex!').waitFor();
    await expect(error.isVisible()).resolves.toBe(false);
    await expect(page.locator('#script-preview').textContent()).resolves.toContain('This is Test from Sample campaign.');
    await page.locator('#sec-0-branches').fill('Interested=qualify');
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await page.getByText('version 1').waitFor();
    await expect(page.locator('#script-select option:checked').textContent()).resolves.toBe('Renewal script');
    await hx.screenshot(page, 'manager-scripts');
    const [row] = await hx.t.db.query(`SELECT s.current_version, v.sections FROM scripts s JOIN script_versions v ON v.script_id = s.id WHERE s.name = 'Renewal script'`);
    expect(row.current_version).toBe(1);
    expect(row.sections[0].branches).toEqual([{ label: 'Interested', goto: 'qualify' }]);
  });

  it('creates a campaign, and refuses to start it with the missing settings named', async () => {
    await page.getByRole('link', { name: 'Campaigns' }).click();
    const panel = page.locator('#tab-campaigns');
    await panel.getByRole('button', { name: 'New campaign' }).click();
    await panel.getByLabel('Name', { exact: true }).fill('Winter renewals');
    await panel.getByLabel('Dial mode').selectOption('progressive');
    await panel.getByLabel('Script').selectOption('Renewal script');
    await panel.getByLabel('Ring timeout (s)').fill('10');
    await panel.getByRole('button', { name: 'Save' }).click();
    const err = page.locator('#camp-error');
    await err.waitFor({ state: 'visible' });
    await expect(err.textContent()).resolves.toMatch(/pacing\.ringTimeoutS.*at least 15/);
    await panel.getByLabel('Ring timeout (s)').fill('25');
    await panel.getByRole('button', { name: 'Save' }).click();
    await page.locator('#camp-table').getByRole('button', { name: 'Winter renewals' }).waitFor();
    await expect(page.locator('#camp-status-badge').textContent()).resolves.toBe('Draft');
    await panel.getByRole('button', { name: 'Start' }).click();
    await page.waitForFunction(() => /callerId/.test(document.querySelector('#camp-error')?.textContent ?? ''));
    await hx.screenshot(page, 'manager-campaigns');
  });

  it('edits retry rules, an outcome, a new outcome and the callback policy; shows a 400 field error at its control', async () => {
    await page.getByRole('link', { name: 'Campaigns' }).click();
    const panel = page.locator('#tab-campaigns');
    // A gateway an admin configured (fixture): managers see its name, never its configuration.
    const [gw] = await hx.t.db.query(`INSERT INTO sip_gateways (name, host) VALUES ('Carrier A', 'sip.carrier-a.test') RETURNING id`);
    await page.locator('#camp-table').getByRole('button', { name: 'Winter renewals' }).click();
    await page.locator('#camp-outcomes tbody tr').first().waitFor();
    await panel.getByLabel('SIP gateway').selectOption('Carrier A');

    // Per-day cap above the per-lead cap: the API's 400 is shown beside "Max attempts per day".
    await panel.getByLabel('Max attempts per lead').fill('4');
    await panel.getByLabel('Max attempts per day').fill('6');
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    const fieldErr = page.locator('#camp-attempts-day-ferr');
    await fieldErr.waitFor({ state: 'visible' });
    await expect(fieldErr.textContent()).resolves.toMatch(/must not exceed maxAttempts \(4\)/);
    await expect(panel.getByLabel('Max attempts per day').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('camp-attempts-day');
    await hx.screenshot(page, 'manager-campaign-field-error');

    await panel.getByLabel('Max attempts per day').fill('2');
    await panel.getByLabel('Busy: retry after (minutes)').fill('20');
    await panel.getByLabel('No answer: retry after (hours)').fill('6');
    await panel.getByLabel('Answering machine: next-day shift (hours)').fill('5');
    await panel.getByLabel('Carrier failure: retry after (minutes)').fill('45');
    await panel.getByLabel('Callback policy').selectOption('agent_only');
    // Edit the "callback" outcome: label and its own retry delay.
    const cb = page.locator('#camp-outcomes tbody tr', { has: page.locator('input[data-key="code"][value="callback"]') });
    await cb.getByLabel('Outcome label · callback').fill('Call back later');
    await cb.getByLabel('Retry after (minutes) · callback').fill('120');
    // Add one with the keyboard: the button, then type code, Tab to label, Tab to "Final" and Space to tick it.
    await panel.getByRole('button', { name: 'Add outcome' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('wrong_person');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Wrong person');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    const added = page.locator('#camp-outcomes tbody tr').last();
    await added.getByLabel('Do not call · wrong_person').check();
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForFunction(() => !document.querySelector('#camp-form .field-error') && document.querySelector('#camp-error')?.hasAttribute('hidden'));
    await page.locator('#camp-outcomes input[data-key="code"][value="wrong_person"]').waitFor();
    await hx.screenshot(page, 'manager-campaign-outcomes');

    const stored = await page.evaluate(async () => {
      const list = await (await fetch('/api/campaigns', { headers: { Accept: 'application/json' } })).json();
      const c = (Array.isArray(list) ? list : list.items).find((x: { name: string }) => x.name === 'Winter renewals');
      return (await fetch(`/api/campaigns/${c.id}`, { headers: { Accept: 'application/json' } })).json();
    });
    expect(stored.retryRules).toMatchObject({ maxAttempts: 4, maxAttemptsPerDay: 2, busyRetryMinutes: 20, noAnswerRetryHours: 6, machineRetryShiftHours: 5, carrierFailureRetryMinutes: 45 });
    expect(stored.callbackPolicy).toBe('agent_only');
    expect(stored.gatewayId).toBe(gw.id);
    const byCode = Object.fromEntries(stored.outcomes.map((o: { code: string }) => [o.code, o]));
    expect(byCode.callback).toMatchObject({ label: 'Call back later', retryAfterMinutes: 120, isFinal: false });
    expect(byCode.wrong_person).toMatchObject({ label: 'Wrong person', isFinal: true, isDnc: true, isSuccess: false });
    expect(byCode.sale).toMatchObject({ isFinal: true, isSuccess: true });

    // A bad outcome code: the error sits in that row, next to its Code input; removing the row clears it.
    await panel.getByRole('button', { name: 'Add outcome' }).click();
    const bad = page.locator('#camp-outcomes tbody tr').last();
    await bad.getByLabel(/^Code/).fill('9 bad');
    await bad.getByLabel(/^Outcome label/).fill('Bad');
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(bad.locator('.field-error').textContent()).resolves.toMatch(/lower-case letters/);
    await expect(bad.getByLabel(/^Code/).getAttribute('aria-invalid')).resolves.toBe('true');
    await bad.getByRole('button', { name: 'Remove outcome · 9 bad' }).click();
    await expect(page.locator('#camp-outcomes tbody tr').count()).resolves.toBe(stored.outcomes.length);
  });

  it('adds an objection with its rebuttal to the campaign', async () => {
    await page.getByRole('link', { name: 'Objections' }).click();
    const panel = page.locator('#tab-objections');
    await panel.getByLabel('Campaign').selectOption('Winter renewals');
    await panel.getByLabel('Category').fill('price');
    await panel.getByLabel('Label').fill('Too expensive');
    await panel.getByLabel('Rebuttal').fill('I understand, {{lead.firstName}}. It pays for itself in a month.');
    await panel.getByRole('button', { name: 'Save' }).click();
    await page.locator('#obj-table').getByText('Too expensive').waitFor();
    await hx.screenshot(page, 'manager-objections');
    // Edit it in place (PATCH): the row shows the new label, no second objection is added.
    await panel.getByRole('button', { name: 'Edit Too expensive' }).click();
    await panel.getByLabel('Label').fill('Too expensive for now');
    await panel.getByRole('button', { name: 'Save' }).click();
    await page.locator('#obj-table').getByText('Too expensive for now').waitFor();
    await expect(page.locator('#obj-table tbody tr').count()).resolves.toBe(1);
  });

  it('marks a deleted objection "Deleted" (agents no longer see it) and restores it', async () => {
    const panel = page.locator('#tab-objections');
    await panel.getByRole('button', { name: 'Delete Too expensive for now' }).click();
    const row = page.locator('#obj-table tbody tr', { hasText: 'Too expensive for now' });
    await row.locator('.badge', { hasText: 'Deleted' }).waitFor({ timeout: 5000 });
    await expect(row.getByRole('button').allTextContents()).resolves.toEqual(['Restore']);
    const [deleted] = await hx.t.db.query(`SELECT active FROM objections WHERE label = 'Too expensive for now'`);
    expect(deleted.active).toBe(false);
    await hx.screenshot(page, 'manager-objection-deleted');

    await row.getByRole('button', { name: 'Restore Too expensive for now' }).click();
    await page.locator('#obj-table tbody tr[data-status="active"]', { hasText: 'Too expensive for now' }).waitFor({ timeout: 5000 });
    await expect(row.getByRole('button').allTextContents()).resolves.toEqual(['Edit', 'Delete']);
    await expect(row.locator('.badge').count()).resolves.toBe(0);
    const [restored] = await hx.t.db.query(`SELECT active FROM objections WHERE label = 'Too expensive for now'`);
    expect(restored.active).toBe(true);
  });

  it('imports a lead list with a column mapping and a progress bar, and offers the error report', async () => {
    await page.getByRole('link', { name: 'Lead lists' }).click();
    const panel = page.locator('#tab-lists');
    const csv = ['Phone,First Name,Last Name,ZIP,Plan', '+12126430101,Ana,Lopez,10001,Gold', '(312) 774-0102,Bo,Chen,60601,Silver', 'call me maybe,Bad,Row,10001,Gold'].join('\n');
    await panel.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'autumn.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    // The mapping is guessed from the header and can be changed per column.
    await expect(panel.getByLabel('Phone', { exact: true }).inputValue()).resolves.toBe('phone');
    await expect(panel.getByLabel('ZIP').inputValue()).resolves.toBe('postalCode');
    await expect(panel.getByLabel('Plan').inputValue()).resolves.toBe('custom');
    await expect(panel.getByLabel('New list name').inputValue()).resolves.toBe('autumn');
    await panel.getByLabel('New list name').fill('Autumn list');
    await panel.getByRole('button', { name: 'Import' }).click();
    await page.getByText('Import finished').waitFor({ timeout: 30_000 });
    await expect(page.locator('#upload-counts').textContent()).resolves.toContain('3 rows read · 2 accepted · 1 rejected');
    await expect(page.locator('#upload-bar').evaluate((b: HTMLProgressElement) => [b.value, b.max])).resolves.toEqual([100, 100]);
    await expect(page.locator('#upload-pct').textContent()).resolves.toBe('100%');
    await page.locator('#lists-table').getByText('Autumn list').waitFor();
    await hx.screenshot(page, 'manager-lists');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download error report' }).click()]);
    const report = readFileSync((await download.path())!, 'utf8');
    expect(report).toMatch(/line/i);
    expect(report).toContain('4');
    const [list] = await hx.t.db.query(`SELECT l.custom_fields, count(x.id)::int AS n FROM lead_lists l JOIN leads x ON x.list_id = l.id WHERE l.name = 'Autumn list' GROUP BY l.id`);
    expect(list.n).toBe(2);
    expect(list.custom_fields).toContain('plan');
  });

  it('shows a big import\'s progress as a percentage of the file on the bar, up to 100%', async () => {
    const runner = hx.t.app.get(LeadImportRunner);
    runner.progressIntervalMs = 50;
    const panel = page.locator('#tab-lists');
    const rows = Array.from({ length: 80_000 }, (_, i) => `+1312${String(7000000 + i)},Name${i},10001`);
    const csv = Buffer.from(['Phone,First Name,ZIP', ...rows].join('\n'));
    await panel.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: csv });
    await panel.getByLabel('New list name').fill('Big list');
    // Every figure the page shows while it imports (the page polls the import's status).
    await page.evaluate(() => {
      const w = window as unknown as { seenPct: string[] };
      w.seenPct = [];
      new MutationObserver(() => {
        const label = document.querySelector('#upload-bar-label')?.textContent;
        const pct = document.querySelector('#upload-pct')?.textContent ?? '';
        if (label === 'Importing' && w.seenPct[w.seenPct.length - 1] !== pct) w.seenPct.push(pct);
      }).observe(document.querySelector('#upload-progress')!, { subtree: true, childList: true, characterData: true });
    });
    await panel.getByRole('button', { name: 'Import' }).click();
    await page.getByText('Import finished').waitFor({ timeout: 60_000 });
    await expect(page.locator('#upload-pct').textContent()).resolves.toBe('100%');
    await expect(page.locator('#upload-bar').evaluate((b: HTMLProgressElement) => b.value)).resolves.toBe(100);
    await expect(page.locator('#upload-counts').textContent()).resolves.toContain('80,000 rows read · 80,000 accepted · 0 rejected');
    const seen: number[] = (await page.evaluate(() => (window as unknown as { seenPct: string[] }).seenPct)).map((p: string) => Number(p.replace('%', '')));
    // The bar moved through the file: at least one figure strictly between 0 and 100, never backwards.
    expect(seen.some((p) => p > 0 && p < 100)).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    await hx.screenshot(page, 'manager-lists-big-import');
    runner.progressIntervalMs = 500;
  });

  it('sets a scheduled start and end, blackout dates, call recording and weighted lists; errors at their fields; kept after a reload', async () => {
    await page.getByRole('link', { name: 'Campaigns' }).click();
    const panel = page.locator('#tab-campaigns');
    await page.locator('#camp-table').getByRole('button', { name: 'Winter renewals' }).click();
    await page.locator('#camp-form:not([aria-busy])').waitFor();
    await panel.getByLabel('Time zone').fill('America/New_York');
    await panel.getByLabel('Caller ID').fill('+12126430100');
    await panel.getByLabel('Scheduled start').fill('2030-01-15T09:00');
    await panel.getByLabel('Scheduled end').fill('2030-01-14T18:00');
    await expect(page.locator('#camp-starts-hint').textContent()).resolves.toContain('America/New_York');
    await panel.getByRole('button', { name: 'Add blackout date' }).click();
    await page.keyboard.type('01202030'); // the focused new date field, typed as a user would (mm dd yyyy)
    await panel.getByRole('button', { name: 'Add blackout date' }).click();
    await page.locator('#camp-blackouts input').last().fill('2029-12-25');
    await panel.getByLabel('Record calls').check();
    await panel.getByLabel('Dial · Autumn list').check();
    await panel.getByLabel('Weight · Autumn list').fill('3');
    await panel.getByLabel('Dial · Big list').check();
    await panel.getByLabel('Weight · Big list').fill('0');

    // A weight below 1: the API's 400 sits beside that list's weight.
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    const bigWeight = panel.getByLabel('Weight · Big list');
    await page.waitForFunction(() => [...document.querySelectorAll('#camp-lists .field-error')].some((e) => /weight.*less than 1|must not be less than 1/.test(e.textContent ?? '')));
    await expect(bigWeight.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(panel.getByLabel('Weight · Autumn list').getAttribute('aria-invalid')).resolves.toBeNull();
    await hx.screenshot(page, 'manager-campaign-list-weight-error');

    // The end before the start: the error is at "Scheduled end".
    await bigWeight.fill('1');
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#camp-ends-ferr').waitFor({ state: 'visible' });
    await expect(page.locator('#camp-ends-ferr').textContent()).resolves.toContain('must be after startsAt');
    await expect(panel.getByLabel('Scheduled end').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('camp-ends');

    await panel.getByLabel('Scheduled end').fill('2030-03-31T18:00');
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForFunction(() => !document.querySelector('#camp-form .field-error') && document.querySelector('#camp-error')?.hasAttribute('hidden'));
    await hx.screenshot(page, 'manager-campaign-schedule-lists');

    // A fresh page load shows what was stored.
    await page.reload();
    await page.getByRole('link', { name: 'Campaigns' }).click();
    await page.locator('#camp-table').getByRole('button', { name: 'Winter renewals' }).click();
    await page.locator('#camp-form:not([aria-busy])').waitFor();
    await expect(panel.getByLabel('Time zone').inputValue()).resolves.toBe('America/New_York');
    await expect(panel.getByLabel('Scheduled start').inputValue()).resolves.toBe('2030-01-15T09:00');
    await expect(panel.getByLabel('Scheduled end').inputValue()).resolves.toBe('2030-03-31T18:00');
    await expect(page.locator('#camp-blackouts input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).resolves.toEqual(['2029-12-25', '2030-01-20']);
    await expect(panel.getByLabel('Record calls').isChecked()).resolves.toBe(true);
    await expect(panel.getByLabel('Dial · Autumn list').isChecked()).resolves.toBe(true);
    await expect(panel.getByLabel('Weight · Autumn list').inputValue()).resolves.toBe('3');
    await expect(panel.getByLabel('Dial · Big list').isChecked()).resolves.toBe(true);
    await expect(panel.getByLabel('Weight · Big list').inputValue()).resolves.toBe('1');
    // Attached lists come first, the heavier one on top.
    await expect(page.locator('#camp-lists tbody th').evaluateAll((els) => els.slice(0, 2).map((e) => e.textContent))).resolves.toEqual(['Autumn list', 'Big list']);

    // And through the API: the wall-clock times were read in the campaign's zone (EST in January, EDT in March).
    const stored = await page.evaluate(async () => {
      const list = await (await fetch('/api/campaigns', { headers: { Accept: 'application/json' } })).json();
      const c = (Array.isArray(list) ? list : list.items).find((x: { name: string }) => x.name === 'Winter renewals');
      return (await fetch(`/api/campaigns/${c.id}`, { headers: { Accept: 'application/json' } })).json();
    });
    const lists = await hx.t.db.query(`SELECT id, name FROM lead_lists WHERE name IN ('Autumn list', 'Big list')`);
    const idOf = (n: string) => lists.find((l: { name: string }) => l.name === n).id;
    expect(stored.timezone).toBe('America/New_York');
    expect(new Date(stored.startsAt).toISOString()).toBe('2030-01-15T14:00:00.000Z');
    expect(new Date(stored.endsAt).toISOString()).toBe('2030-03-31T22:00:00.000Z');
    expect(stored.schedule.blackoutDates).toEqual(['2029-12-25', '2030-01-20']);
    expect(stored.recordCalls).toBe(true);
    expect(stored.lists).toEqual(expect.arrayContaining([
      { listId: idOf('Autumn list'), priority: 1, weight: 3, active: true },
      { listId: idOf('Big list'), priority: 1, weight: 1, active: true },
    ]));
    expect(stored.lists).toHaveLength(2);

    // Scheduled start: the campaign waits for its start time.
    await panel.getByRole('button', { name: 'Schedule' }).click();
    await page.locator('#camp-status-badge[data-status="scheduled"]').waitFor();
    await expect(page.locator('#camp-status-badge').textContent()).resolves.toBe('Scheduled');
    const [row] = await hx.t.db.query(`SELECT status FROM campaigns WHERE id = $1`, [stored.id]);
    expect(row.status).toBe('scheduled');
    await hx.screenshot(page, 'manager-campaign-scheduled');
  });

  it('renames a script on Save: the new name stays in the form and the script list, with the new version', async () => {
    await page.getByRole('link', { name: 'Scripts' }).click();
    await page.locator('#script-select').selectOption({ label: 'Renewal script' });
    await page.waitForFunction(() => (document.querySelector('#script-name') as HTMLInputElement).value === 'Renewal script');
    await page.getByLabel('Script name').fill('Renewal script 2030');
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await page.getByText('version 2').waitFor();
    await expect(page.getByLabel('Script name').inputValue()).resolves.toBe('Renewal script 2030');
    await expect(page.locator('#script-select option:checked').textContent()).resolves.toBe('Renewal script 2030');
    // Still so after a reload (the server has it).
    await page.reload();
    await page.getByRole('link', { name: 'Scripts' }).click();
    await expect(page.locator('#script-select option').allTextContents()).resolves.toContain('Renewal script 2030');
    const [row] = await hx.t.db.query(`SELECT name, current_version FROM scripts WHERE name LIKE 'Renewal script%'`);
    expect(row).toEqual({ name: 'Renewal script 2030', current_version: 2 });
  });

  it('shows the live dashboard of a campaign with empty figures before any call', async () => {
    await page.getByRole('link', { name: 'Live dashboard' }).click();
    await page.locator('#tab-dashboard').getByLabel('Campaign').selectOption('Winter renewals');
    await page.locator('#dash-conn[data-state="open"]').waitFor();
    await page.locator('#chart-agents svg').waitFor();
    await hx.screenshot(page, 'manager-dashboard-empty');
  });
});
