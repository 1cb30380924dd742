import { readFileSync } from 'node:fs';
import { Page } from 'playwright-core';
import { Role } from '../../src/modules/users/user.entity';
import { BrowserHarness, describeBrowser, startHarness } from './harness';
import { isolateDatabase } from '../setup/isolated-db';

jest.setTimeout(180_000);

/** An IANA zone where it is now mid-day, so the leads are inside every calling window whenever the test runs. */
function middayZone(now = new Date()): string {
  const zones = [
    'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Pacific/Honolulu', 'America/Sao_Paulo', 'Atlantic/Azores',
    'Europe/London', 'Europe/Berlin', 'Europe/Moscow', 'Asia/Dubai', 'Asia/Karachi', 'Asia/Dhaka', 'Asia/Bangkok', 'Asia/Shanghai', 'Asia/Tokyo',
    'Australia/Brisbane', 'Pacific/Noumea', 'Pacific/Auckland', 'Pacific/Tongatapu', 'Pacific/Pago_Pago', 'America/Anchorage',
  ];
  const hour = (z: string) => Number(new Intl.DateTimeFormat('en-GB', { timeZone: z, hour: '2-digit', hour12: false }).format(now));
  return zones.find((z) => hour(z) >= 11 && hour(z) <= 16) ?? zones.find((z) => hour(z) >= 10 && hour(z) <= 18)!;
}

// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describeBrowser('the whole day: manager runs a campaign, an agent takes a call, compliance exports (headless Chromium)', () => {
  let hx: BrowserHarness;
  let manager: Page;
  let agent: Page;
  const zone = middayZone();
  const dncNumber = '+13127740188';
  const leadNumber = '+12126430155';
  let campaignId: string;

  beforeAll(async () => {
    // The simulated carrier: everyone answers and talks long enough to be handled.
    // Real-time ringing (about 9 s): the dashboard, pushed once a second, must be able to show the call ringing.
    Object.assign(process.env, { SIMULATED_ANSWER_RATE: '1', SIMULATED_TIME_SCALE: '1' });
    // Its own Redis prefix: agent states, campaign locks and queues of this suite are invisible to dialer workers
    // that other suites of the same run may start on the shared database.
    hx = await startHarness({ api: true, worker: true }, { QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_day` });
    const token = await hx.t.tokenFor(Role.Manager);
    await hx.t.http.post('/api/compliance/dnc').set('Authorization', `Bearer ${token}`).send({ phone: dncNumber, scope: 'internal', reason: 'asked by e-mail' }).expect(201);
    ({ page: manager } = await hx.loginAs(Role.Manager));
    ({ page: agent } = await hx.loginAs(Role.Agent));
  });
  afterAll(() => hx?.close());

  it('manager imports a lead list with a column mapping and a progress bar', async () => {
    await manager.getByRole('link', { name: 'Lead lists' }).click();
    const panel = manager.locator('#tab-lists');
    const csv = ['Phone,First Name,Last Name,TZ,Plan', `${dncNumber},Dana,Blocked,${zone},Gold`, `${leadNumber},Mei,Wong,${zone},Gold`, 'not-a-number,Bad,Row,UTC,Gold'].join('\n');
    await panel.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'spring.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect(panel.getByLabel('Phone', { exact: true }).inputValue()).resolves.toBe('phone');
    await panel.getByLabel('TZ').selectOption('timezone');
    await panel.getByLabel('New list name').fill('Spring list');
    await panel.getByRole('button', { name: 'Import' }).click();
    await manager.getByText('Import finished').waitFor({ timeout: 30_000 });
    await expect(manager.locator('#upload-counts').textContent()).resolves.toContain('3 rows read · 2 accepted · 1 rejected');
    await manager.locator('#upload-errors-link').waitFor();
    await manager.locator('#lists-table').getByText('Spring list').waitFor();
    await hx.screenshot(manager, 'manager-lists');
  });

  it('manager sets up the campaign (script, objections, list, calling windows) and starts it from the console', async () => {
    const token = await hx.t.tokenFor(Role.Manager);
    const auth = { Authorization: `Bearer ${token}` };
    const [list] = await hx.t.db.query(`SELECT id FROM lead_lists WHERE name = 'Spring list'`);
    const script = await hx.t.http.post('/api/scripts').set(auth).send({
      name: 'Spring script',
      sections: [
        { key: 'greeting', title: 'Greeting', template: 'Hello {{lead.firstName}}, this is {{agent.firstName}} from {{campaign.name}}.', branches: [{ label: 'Interested', goto: 'pitch' }] },
        { key: 'pitch', title: 'Pitch', template: 'Your {{lead.custom.plan}} plan renews this month.' },
      ],
    }).expect(201);
    const allDay = { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] };
    const campaign = await hx.t.http.post('/api/campaigns').set(auth).send({
      name: 'Spring renewals', dialMode: 'progressive', callerId: '+12126430100', scriptId: script.body.id, lists: [{ listId: list.id }], schedule: { windows: allDay },
    }).expect(201);
    campaignId = campaign.body.id;
    await hx.t.http.post(`/api/campaigns/${campaignId}/objections`).set(auth).send({ category: 'price', label: 'Too expensive', rebuttalTemplate: 'I hear you, {{lead.firstName}}: it pays for itself.' }).expect(201);

    await manager.reload();
    await manager.getByRole('link', { name: 'Campaigns' }).click();
    const panel = manager.locator('#tab-campaigns');
    await panel.locator('#camp-table').getByRole('button', { name: 'Spring renewals', exact: true }).click();
    await manager.waitForFunction(() => (document.querySelector('#camp-name') as HTMLInputElement).value === 'Spring renewals');
    await panel.getByRole('button', { name: 'Start' }).click();
    await manager.locator('#camp-status-badge[data-status="running"]').waitFor();
    await hx.screenshot(manager, 'manager-campaign-running');

    await manager.getByRole('link', { name: 'Live dashboard' }).click();
    await manager.locator('#tab-dashboard').getByLabel('Campaign').selectOption('Spring renewals');
    await manager.locator('#dash-conn[data-state="open"]').waitFor();
    // Everything the dashboard shows from now on: the most calls ringing, and each agents-by-state chart.
    await manager.evaluate(() => {
      const w = window as unknown as { dashSeen: { maxRinging: number; maxDialLevel: number; agents: string[] } };
      w.dashSeen = { maxRinging: 0, maxDialLevel: 0, agents: [] };
      new MutationObserver(() => {
        const ringing = Number(document.querySelector('#kpi-ringing')?.textContent);
        if (ringing > w.dashSeen.maxRinging) w.dashSeen.maxRinging = ringing;
        const dialLevel = Number(document.querySelector('#kpi-dial-level')?.textContent);
        if (dialLevel > w.dashSeen.maxDialLevel) w.dashSeen.maxDialLevel = dialLevel;
        const agents = document.querySelector('#chart-agents svg')?.getAttribute('aria-label') ?? '';
        if (w.dashSeen.agents[w.dashSeen.agents.length - 1] !== agents) w.dashSeen.agents.push(agents);
      }).observe(document.querySelector('#tab-dashboard')!, { subtree: true, childList: true, characterData: true });
    });
  });

  it('agent goes Ready, the call pops with the lead and the script, objections and the outcome are recorded', async () => {
    await agent.reload();
    await agent.getByLabel('Campaign').selectOption('Spring renewals');
    await agent.getByRole('button', { name: 'Ready' }).click();
    await agent.locator('#state-label[data-state="ready"], #state-label[data-state="on_call"], #state-label[data-state="reserved"]').waitFor();

    // The pop: lead details, the script rendered for Mei, announced to screen readers.
    await agent.locator('#lead-details').getByText('Mei').waitFor({ timeout: 60_000 });
    await expect(agent.locator('#lead-details').textContent()).resolves.toContain('Wong');
    await expect(agent.locator('#lead-details').textContent()).resolves.not.toContain('Dana');
    await agent.locator('#script-body').getByText('Hello Mei, this is Test from Spring renewals.').waitFor();
    await expect(agent.locator('#call-announcer').textContent()).resolves.toContain('Mei');
    await agent.getByRole('button', { name: '→ Interested' }).click();
    await agent.locator('#script-body').getByText('Your Gold plan renews this month.').waitFor();
    await hx.screenshot(agent, 'agent-call');

    await agent.locator('#objection-buttons').getByRole('button', { name: 'Too expensive' }).click();
    await agent.locator('#rebuttal').getByText('I hear you, Mei: it pays for itself.').waitFor();
    await agent.locator('#raised-objections').getByText('Too expensive').waitFor();

    // Hang up (unless the simulated customer already did), then wrap-up.
    const hangup = agent.getByRole('button', { name: 'Hang up' });
    if (await hangup.isVisible()) await hangup.click().catch(() => undefined);
    await agent.locator('#state-label[data-state="wrap_up"]').waitFor({ timeout: 30_000 });
    await agent.locator('#wrapup').waitFor();
    // A do-not-call request cannot also book a callback: the server says so, next to the form.
    await agent.getByLabel('Outcome', { exact: true }).selectOption('sale');
    await agent.getByLabel('Call back at').fill('2030-01-15T18:30');
    await agent.getByLabel('Anyone').check();
    await agent.getByLabel('Do not call this person again').check();
    await agent.getByRole('button', { name: 'Save outcome' }).click();
    await agent.locator('#dispo-error').getByText(/callbackAt.*do-not-call/).waitFor();
    await agent.getByLabel('Do not call this person again').uncheck();
    await agent.getByLabel('Call back at').fill('');

    // While the agent wraps up, the manager's dashboard shows them in wrap-up (agents by state, live).
    await manager.waitForFunction(() => /Wrap-up: 1\b/.test(document.querySelector('#chart-agents svg')?.getAttribute('aria-label') ?? ''), undefined, { timeout: 10_000 });
    await agent.locator('#overcome-set').getByLabel('Too expensive').check();
    await agent.getByLabel('Notes').fill('Renewed for a year; price objection answered.');
    await hx.screenshot(agent, 'agent-wrapup');
    await agent.getByRole('button', { name: 'Save outcome' }).click();
    await agent.getByText('Outcome saved.').first().waitFor();
    await agent.locator('#no-call').waitFor();

    const [d] = await hx.t.db.query(`SELECT d.outcome, d.notes, c.script_version_id FROM dispositions d JOIN calls c ON c.id = d.call_id WHERE d.campaign_id = $1`, [campaignId]);
    expect(d.outcome).toBe('sale');
    expect(d.notes).toContain('price objection');
    expect(d.script_version_id).toBeTruthy();
    const objections = await hx.t.db.query(`SELECT o.label, co.overcome FROM call_objections co JOIN objections o ON o.id = co.objection_id WHERE o.campaign_id = $1`, [campaignId]);
    expect(objections).toEqual([{ label: 'Too expensive', overcome: true }]);
  });

  it('the manager’s dashboard moved while it was open: calls ringing, agents by state, attempts, contact rate, abandon rate against the cap, the conversion and the objection', async () => {
    await manager.waitForFunction(() => Number(document.querySelector('#kpi-conversions')?.textContent) >= 1, undefined, { timeout: 30_000 });
    expect(Number(await manager.locator('#kpi-attempts').textContent())).toBeGreaterThanOrEqual(1);
    await manager.locator('#chart-objections text.chart-label', { hasText: 'Too expensive' }).waitFor({ timeout: 20_000 });
    // It showed the call ringing, and the agent leaving Ready for the call and coming back (agents by state), live.
    const seen: { maxRinging: number; maxDialLevel: number; agents: string[] } = await manager.evaluate(() => (window as unknown as { dashSeen: { maxRinging: number; maxDialLevel: number; agents: string[] } }).dashSeen);
    expect(seen.maxRinging).toBeGreaterThanOrEqual(1);
    // Progressive: one line per free agent, so the pacer's dial level reached 1 while the agent was Ready.
    expect(seen.maxDialLevel).toBeGreaterThanOrEqual(1);
    const busy = seen.agents.findIndex((a) => /^Ready: 0\b/.test(a) && /(Connecting|On call|Wrap-up): 1\b/.test(a));
    expect(busy).toBeGreaterThan(0);
    expect(seen.agents.slice(0, busy).some((a) => /^Ready: 1\b/.test(a))).toBe(true);
    expect(seen.agents[seen.agents.length - 1]).toMatch(/^Ready: 1\b/);
    // Contact rate and the abandon windows against the 3% cap agree with the live figures of the API.
    const live = await manager.evaluate((id) => fetch(`/api/campaigns/${id}/live`).then((r) => r.json()), campaignId);
    expect(live.today.humanAnswered).toBeGreaterThanOrEqual(1);
    await manager.waitForFunction((v) => document.querySelector('#kpi-contact')?.textContent === v, `${(live.today.contactRate * 100).toFixed(1)}%`);
    const abandon = await manager.locator('#chart-abandon svg').getAttribute('aria-label');
    expect(abandon).toBe(`Cap: 3.00%. Last hour: ${(live.abandonRate.lastHour * 100).toFixed(2)}%, 24 hours: ${(live.abandonRate.last24h * 100).toFixed(2)}%, 30 days: ${(live.abandonRate.last30d * 100).toFixed(2)}%`);
    await expect(manager.locator('#chart-abandon line.chart-cap').count()).resolves.toBe(1);
    // The 5-minute trend is kept by the orchestrator: a dashboard opened now draws it at once, the ringing included.
    // (A point per pacer tick; a busy machine ticks less than once a second, so a few points are enough here.)
    expect(live.history.length).toBeGreaterThanOrEqual(3);
    expect(live.history[live.history.length - 1].t - live.history[0].t).toBeGreaterThan(1000);
    expect(live.history.some((p: { ringing: number }) => p.ringing >= 1)).toBe(true);
    const fresh = await manager.context().newPage();
    await fresh.goto('/manager');
    await fresh.getByRole('link', { name: 'Live dashboard' }).click();
    await fresh.locator('#tab-dashboard').getByLabel('Campaign').selectOption('Spring renewals');
    const trend = await fresh.locator('#chart-trend path').first().getAttribute('d', { timeout: 10_000 });
    expect((trend ?? '').split('L').length).toBeGreaterThanOrEqual(3); // drawn from the kept points, not one
    await fresh.close();
    // The KPI card (last 24 h, from the call and agent-state records): the agent's row shows the handled call and
    // the sale, and the figures are the report API's.
    await manager.waitForFunction(() => {
      const cells = [...document.querySelectorAll('#kpi-agents tbody tr:first-child td')].map((c) => Number(c.textContent));
      return cells[0] >= 1 && cells[1] >= 1;
    }, undefined, { timeout: 30_000 });
    const report = await manager.evaluate((id) => fetch(`/api/reports/campaigns/${id}/kpis`).then((r) => r.json()), campaignId);
    expect(report.agents).toHaveLength(1);
    const [agentKpis] = report.agents;
    expect(agentKpis).toMatchObject({ handled: 1, conversions: 1 });
    expect(agentKpis.averageHandleS).toBeGreaterThan(0);
    expect(agentKpis.loggedInS).toBeGreaterThan(0);
    const mss = (sec: number) => `${Math.floor(sec / 60)}:${String(Math.floor(sec % 60)).padStart(2, '0')}`;
    const row = manager.locator('#kpi-agents tbody tr');
    await expect(row.count()).resolves.toBe(1);
    await expect(row.locator('th').textContent()).resolves.toBe(agentKpis.displayName);
    expect(await row.locator('td').nth(2).textContent()).toBe(mss(agentKpis.averageHandleS));
    await expect(manager.locator('#kpi-aht').textContent()).resolves.toBe(mss(report.totals.averageHandleS));
    await expect(manager.locator('#kpi-agents-empty').isHidden()).resolves.toBe(true);
    const csv = await manager.evaluate((href) => fetch(href).then((r) => r.text()), (await manager.locator('#kpi-csv').getAttribute('href'))!);
    expect(csv.split(/\r?\n/)[1]).toContain(agentKpis.displayName);
    await hx.screenshot(manager, 'manager-dashboard');
    await manager.getByRole('link', { name: 'Campaigns' }).click();
    await manager.locator('#tab-campaigns').getByRole('button', { name: 'Pause' }).click();
    await manager.locator('#camp-status-badge[data-status="paused"]').waitFor();
    await manager.locator('#tab-campaigns').getByRole('button', { name: 'Stop' }).click();
    await manager.locator('#camp-status-badge[data-status="completed"]').waitFor();
  });

  it('compliance finds the blocked dial of the DNC number and exports it as CSV', async () => {
    const { page } = await hx.loginAs(Role.Compliance);
    await page.getByRole('link', { name: 'Blocked dials' }).click();
    // The DNC log (the page's first view) also lists the number: wait for the blocked-dials view's headings and answer.
    await page.locator('#cmp-table thead', { hasText: 'Checked at' }).waitFor();
    await page.locator('#cmp-table:not([aria-busy]) tbody tr', { hasText: dncNumber }).first().waitFor();
    await expect(page.locator('#cmp-table tbody').textContent()).resolves.toContain('Internal DNC');
    await page.getByLabel('Campaign').selectOption('Spring renewals');
    await page.getByRole('button', { name: 'Search' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split(/\r?\n/)[0]).toContain('event_id,occurred_at,type,reason_code,phone');
    expect(csv).toContain(dncNumber);
    expect(csv).toContain('dnc_internal');
    expect(csv).not.toContain(leadNumber);
    await page.getByRole('link', { name: 'Abandon rate' }).click();
    // The blocked-dials rows also name the campaign: wait for the abandon view's headings and its own answer.
    await page.locator('#cmp-table thead', { hasText: 'FCC: rolling 30 days' }).waitFor();
    await page.locator('#cmp-table:not([aria-busy]) tbody tr', { hasText: 'Spring renewals' }).first().waitFor();
    // FCC 30 days, Ofcom 24 h and today: no abandon of the one human-answered call, in each window.
    const row = page.locator('#cmp-table tbody tr', { hasText: 'Spring renewals' });
    await expect(row.locator('td').evaluateAll((tds) => tds.slice(1, 4).map((td) => td.textContent))).resolves.toEqual(['0.00% (0 / 1)', '0.00% (0 / 1)', '0.00% (0 / 1)']);
    const [abandonCsv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(readFileSync((await abandonCsv.path())!, 'utf8')).toContain('Spring renewals');
    await hx.screenshot(page, 'compliance-abandon-after-call');
  });
});
