import { Page } from 'playwright-core';
import { Role } from '../../src/modules/users/user.entity';
import { makeCampaign } from '../integration/dialer-fixtures';
import { isolateDatabase } from '../setup/isolated-db';
import { waitFor } from '../setup/wait';
import { BrowserHarness, describeBrowser, startHarness, tabThrough } from './harness';

jest.setTimeout(180_000);

// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describeBrowser('agent desktop: pause reason, preview and Dial, wrap-up timer, callback for myself, do not call (headless Chromium)', () => {
  const savedEnv = { ...process.env };
  let hx: BrowserHarness;
  let page: Page;
  let agentId: string;
  let campaignId: string;
  const names = new Map<string, string>(); // phone -> first name
  const byName = new Map<string, string>(); // first name -> phone

  beforeAll(async () => {
    // The simulated carrier: everyone answers and talks long enough for the agent to hang up.
    Object.assign(process.env, { SIMULATED_ANSWER_RATE: '1', SIMULATED_TIME_SCALE: '0.3' });
    hx = await startHarness({ api: true, worker: true }, { QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_desk` });
    // A running PREVIEW campaign with two leads inside their calling hours (fixture of the dialer tests).
    const fx = await makeCampaign(hx.t.db, { ok: 6, mode: 'preview' });
    campaignId = fx.campaignId;
    await hx.t.db.query(`UPDATE campaigns SET name = 'Preview desk' WHERE id = $1`, [campaignId]);
    for (const [i, l] of fx.leads.entries()) {
      // Well-formed, distinct numbers (the DNC list refuses fictional 555 numbers).
      const phone = `+1212643${String(7100 + i)}`;
      const first = ['Mei', 'Omar', 'Ines', 'Ada', 'Kofi', 'Lena'][i];
      await hx.t.db.query(`UPDATE leads SET phone = $2, first_name = $3, last_name = 'Lee' WHERE id = $1`, [l.id, phone, first]);
      names.set(phone, first);
      byName.set(first, phone);
    }
    // The campaign's script and an objection, written by a manager; both use the lead's country.
    const mgr = { Authorization: `Bearer ${await hx.t.tokenFor(Role.Manager)}` };
    const script = await hx.t.http.post('/api/scripts').set(mgr).send({
      name: 'Desk script',
      sections: [{ key: 'greeting', title: 'Greeting', template: 'Hello {{lead.firstName}}, we call everyone in {{lead.country}} this week.' }],
    }).expect(201);
    await hx.t.db.query(`UPDATE campaigns SET script_id = $2 WHERE id = $1`, [campaignId, script.body.id]);
    await hx.t.http.post(`/api/campaigns/${campaignId}/objections`).set(mgr)
      .send({ category: 'price', label: 'Too expensive', rebuttalTemplate: 'Our {{lead.country}} customers save in a month.' }).expect(201);
    const login = await hx.loginAs(Role.Agent);
    page = login.page;
    agentId = login.user.id;
  });
  afterAll(async () => {
    await hx?.close();
    process.env = savedEnv;
  });

  it('pauses with a reason code: the state shows it, its timer runs, and the state event records the reason', async () => {
    await page.getByLabel('Reason').selectOption('lunch');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.locator('#state-label[data-state="paused"]').waitFor();
    await expect(page.locator('#state-label').textContent()).resolves.toBe('Paused · Lunch');
    await expect(page.getByRole('button', { name: 'Pause', exact: true }).isDisabled()).resolves.toBe(true);
    await page.waitForFunction(() => /^0:0[1-9]$/.test(document.querySelector('#state-timer')?.textContent ?? ''), undefined, { timeout: 5000 });
    const [ev] = await hx.t.db.query(`SELECT state, reason FROM agent_state_events WHERE agent_id = $1 ORDER BY id DESC LIMIT 1`, [agentId]);
    expect(ev).toEqual({ state: 'paused', reason: 'lunch' });
    await hx.screenshot(page, 'agent-paused');
  });

  /** Goes Ready (if not already) and waits for the next preview; returns the lead's first name. */
  async function nextPreview(): Promise<string> {
    if (await page.getByRole('button', { name: 'Ready' }).isEnabled()) {
      await page.getByLabel('Campaign').selectOption(campaignId);
      await page.getByRole('button', { name: 'Ready' }).click();
    }
    await page.locator('#call-status', { hasText: 'Preview' }).waitFor({ timeout: 30_000 });
    const first = (await page.locator('#lead-details dd').first().textContent())!;
    expect([...byName.keys()]).toContain(first);
    return first;
  }

  /** Dials the previewed lead, hangs up once connected and waits for wrap-up. */
  async function dialAndHangUp(first: string): Promise<void> {
    await page.getByRole('button', { name: 'Dial' }).click();
    await page.locator('#call-status', { hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await expect(page.locator('#call-announcer').textContent()).resolves.toContain(first);
    const hangup = page.getByRole('button', { name: 'Hang up' });
    if (await hangup.isVisible()) await hangup.click().catch(() => undefined);
    await page.locator('#state-label[data-state="wrap_up"]').waitFor({ timeout: 30_000 });
  }

  it('shows the previewed lead first with Dial (nothing dialled yet), dials on click, and runs a wrap-up timer', async () => {
    const first = await nextPreview();
    // Preview: the lead, Dial and Skip; no Hang up, the outcome form closed; no INVITE placed.
    await expect(page.getByRole('button', { name: 'Dial' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Skip' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Hang up' }).isVisible()).resolves.toBe(false);
    await expect(page.getByLabel('Outcome', { exact: true }).isDisabled()).resolves.toBe(true);
    await expect(page.locator('#call-announcer').textContent()).resolves.toBe(`Preview: ${first} Lee. Press Dial to call.`);
    // The script is rendered for this lead, its country included (the lead's country is US).
    await expect(page.locator('#script-body .script-text').textContent()).resolves.toBe(`Hello ${first}, we call everyone in US this week.`);
    const [previewed] = await hx.t.db.query(`SELECT state, dial_at FROM calls WHERE agent_id = $1 AND phone = $2`, [agentId, byName.get(first)]);
    expect(previewed).toEqual({ state: 'preview', dial_at: null });
    // A preview is not a call yet: the server takes no objection on it, so its buttons are off.
    await expect(page.locator('#objection-buttons').getByRole('button', { name: 'Too expensive' }).isDisabled()).resolves.toBe(true);
    await hx.screenshot(page, 'agent-preview');

    // From Dial until the person answers, the script, the objections and the outcomes stay on screen, and no
    // objection can be raised: a recorder notes each render until "Connected".
    await page.evaluate(() => {
      const w = window as unknown as { dialling: { seen: Set<string>; done: boolean } };
      w.dialling = { seen: new Set(), done: false };
      const check = () => {
        if (w.dialling.done) return;
        const status = document.querySelector('#call-status')?.textContent ?? '';
        if (/Connected/.test(status)) return void (w.dialling.done = true);
        if (/Dialling/.test(status)) w.dialling.seen.add('dialling');
        if (!document.querySelector('#script-body .script-text')?.textContent?.includes('Hello')) w.dialling.seen.add('script blank');
        const buttons = [...document.querySelectorAll<HTMLButtonElement>('#objection-buttons button')];
        if (!buttons.length) w.dialling.seen.add('no objection buttons');
        if (buttons.some((b) => !b.disabled)) w.dialling.seen.add('objection clickable');
        if (document.querySelectorAll('#dispo-outcome option').length < 2) w.dialling.seen.add('no outcomes');
      };
      new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await dialAndHangUp(first);
    await expect(page.evaluate(() => [...(window as unknown as { dialling: { seen: Set<string> } }).dialling.seen])).resolves.toEqual(['dialling']);
    // After the call (connected, then wrap-up) objections can be recorded.
    await expect(page.locator('#objection-buttons').getByRole('button', { name: 'Too expensive' }).isDisabled()).resolves.toBe(false);
    await page.locator('#wrapup').waitFor();
    // The wrap-up timer counts.
    const t0 = await page.locator('#wrapup-timer').textContent();
    await page.waitForFunction((was) => {
      const now = document.querySelector('#wrapup-timer')?.textContent ?? '';
      return now !== was && /^\d+:\d\d$/.test(now) && now !== '0:00';
    }, t0, { timeout: 5000 });
    await expect(page.getByLabel('Outcome', { exact: true }).isDisabled()).resolves.toBe(false);

    // The outcome form is keyboard usable: Tab reaches each control, and each has a name.
    const walk = await tabThrough(page, '#disposition-form');
    expect(walk.reached).toEqual(walk.expected);
    expect(walk.reached).toEqual(expect.arrayContaining(['dispo-outcome', 'dispo-notes', 'dispo-callback', 'dispo-dnc', 'dispo-submit']));
    expect(walk.unnamed).toEqual([]);

    // A callback for myself ("Me" is the default choice): it appears among my callbacks.
    await page.getByLabel('Outcome', { exact: true }).selectOption('call_later');
    await page.getByLabel('Call back at').fill('2030-01-15T18:30');
    await expect(page.getByRole('radio', { name: 'Me', exact: true }).isChecked()).resolves.toBe(true);
    await page.getByLabel('Notes').fill('Asked to be called after work.');
    await hx.screenshot(page, 'agent-wrapup-callback');
    await page.getByRole('button', { name: 'Save outcome' }).click();
    await page.getByText('Outcome saved.').first().waitFor();
    await page.locator('#callbacks-table tbody tr', { hasText: `${first} Lee` }).waitFor();
    await expect(page.locator('#callbacks-table tbody').textContent()).resolves.toContain('Preview desk');
    const [cb] = await hx.t.db.query(
      `SELECT cb.scope, cb.owner_agent_id, cb.due_at FROM callbacks cb JOIN leads l ON l.id = cb.lead_id WHERE l.phone = $1`, [byName.get(first)],
    );
    expect(cb).toMatchObject({ scope: 'agent', owner_agent_id: agentId });
    expect(new Date(cb.due_at).toISOString()).toBe('2030-01-15T18:30:00.000Z');
    await hx.screenshot(page, 'agent-callbacks');
  });

  it('records "do not call this person again": the number goes on the internal DNC list with its compliance event', async () => {
    const first = await nextPreview();
    await dialAndHangUp(first);
    await page.getByLabel('Outcome', { exact: true }).selectOption('no_sale');
    await page.getByLabel('Do not call this person again').check();
    await page.getByRole('button', { name: 'Save outcome' }).click();
    const phone = byName.get(first)!;
    // (The "Outcome saved." of the first call may still be on screen: wait for this call's disposition.)
    await waitFor(async () => (await hx.t.db.query(`SELECT 1 FROM dispositions d JOIN leads l ON l.id = d.lead_id WHERE l.phone = $1`, [phone])).length > 0, 15_000, 'the disposition');
    // The desk leaves this call: "no call", or (preview mode, the agent Ready again) the next lead offered at once,
    // which can replace "no call" before a poll sees it.
    await page.waitForFunction((name) => {
      const noCall = document.querySelector('#no-call');
      if (noCall && !noCall.hasAttribute('hidden')) return true;
      const status = document.querySelector('#call-status')?.textContent ?? '';
      return /Preview/.test(status) && document.querySelector('#lead-details dd')?.textContent !== name;
    }, first, { timeout: 30_000 });
    const dnc = await hx.t.db.query(`SELECT scope FROM dnc_entries WHERE phone = $1`, [phone]);
    expect(dnc.map((d: { scope: string }) => d.scope)).toContain('internal');
    const [d] = await hx.t.db.query(`SELECT outcome, dnc_requested FROM dispositions WHERE agent_id = $1 AND lead_id = (SELECT id FROM leads WHERE phone = $2)`, [agentId, phone]);
    expect(d).toEqual({ outcome: 'no_sale', dnc_requested: true });
    const [ev] = await hx.t.db.query(`SELECT count(*)::int AS n FROM compliance_events WHERE phone = $1 AND type IN ('dnc_add', 'dnc_added')`, [phone]);
    expect(ev.n).toBeGreaterThanOrEqual(1);
    await expect(page.locator('#state-label').getAttribute('data-state')).resolves.toMatch(/ready|reserved/);
  });

  it('unticks "do not call" when the agent moves from a do-not-call outcome to another, but keeps a tick of their own', async () => {
    const first = await nextPreview();
    await dialAndHangUp(first);
    const outcome = page.getByLabel('Outcome', { exact: true });
    const box = page.getByLabel('Do not call this person again');
    // Their own tick survives outcome changes.
    await box.check();
    await outcome.selectOption('dnc');
    await outcome.selectOption('sale');
    await expect(box.isChecked()).resolves.toBe(true);
    await box.uncheck();
    // The do-not-call outcome ticks it; choosing another outcome takes the tick away again.
    await outcome.selectOption('dnc');
    await expect(box.isChecked()).resolves.toBe(true);
    await outcome.selectOption('no_sale');
    await expect(box.isChecked()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Save outcome' }).click();
    const phone = byName.get(first)!;
    const d = await waitFor(async () => {
      const [row] = await hx.t.db.query(`SELECT d.outcome, d.dnc_requested FROM dispositions d JOIN leads l ON l.id = d.lead_id WHERE l.phone = $1`, [phone]);
      return row;
    }, 15_000, 'the disposition');
    expect(d).toEqual({ outcome: 'no_sale', dnc_requested: false });
    expect(await hx.t.db.query(`SELECT scope FROM dnc_entries WHERE phone = $1`, [phone])).toEqual([]);
  });

  it('books a callback for anyone when the agent chooses "Anyone"', async () => {
    const first = await nextPreview();
    await dialAndHangUp(first);
    await page.getByLabel('Outcome', { exact: true }).selectOption('call_later');
    await page.getByLabel('Call back at').fill('2030-02-01T10:00');
    await page.getByRole('radio', { name: 'Anyone', exact: true }).check();
    await page.getByRole('button', { name: 'Save outcome' }).click();
    const phone = byName.get(first)!;
    const cb = await waitFor(async () => {
      const [row] = await hx.t.db.query(`SELECT cb.scope, cb.owner_agent_id FROM callbacks cb JOIN leads l ON l.id = cb.lead_id WHERE l.phone = $1`, [phone]);
      return row;
    }, 15_000, 'the callback');
    expect(cb).toEqual({ scope: 'anyone', owner_agent_id: agentId });
  });

  it('lists the objections raised on the call by name after a reload, each with its "overcome" box', async () => {
    const first = await nextPreview();
    await page.getByRole('button', { name: 'Dial' }).click();
    await page.locator('#call-status', { hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await page.locator('#objection-buttons').getByRole('button', { name: 'Too expensive' }).click();
    await page.locator('#raised-objections li', { hasText: 'Too expensive' }).waitFor();
    await page.reload();
    // The same call (live or, if the customer hung up meanwhile, in wrap-up), its objection listed by label.
    await page.locator('#lead-details dd', { hasText: first }).first().waitFor();
    await expect(page.locator('#raised-objections li').allTextContents()).resolves.toEqual(['Too expensive']);
    await expect(page.locator('#overcome-set label').allTextContents()).resolves.toEqual([' Too expensive']);
    await expect(page.locator('#overcome-empty').isHidden()).resolves.toBe(true);
    await hx.screenshot(page, 'agent-reload-raised-objections');

    const hangup = page.getByRole('button', { name: 'Hang up' });
    if (await hangup.isVisible()) await hangup.click().catch(() => undefined);
    await page.locator('#state-label[data-state="wrap_up"]').waitFor({ timeout: 30_000 });
    await page.getByRole('checkbox', { name: 'Too expensive' }).check();
    await page.getByLabel('Outcome', { exact: true }).selectOption('sale');
    await page.getByRole('button', { name: 'Save outcome' }).click();
    const phone = byName.get(first)!;
    const raised = await waitFor(async () => {
      const rows = await hx.t.db.query(
        `SELECT o.label, co.overcome FROM call_objections co JOIN objections o ON o.id = co.objection_id JOIN calls c ON c.id = co.call_id
          JOIN dispositions d ON d.call_id = c.id WHERE c.phone = $1`, [phone],
      );
      return rows.length ? rows : null;
    }, 15_000, 'the disposition with its objections');
    expect(raised).toEqual([{ label: 'Too expensive', overcome: true }]);
  });

  it('keeps counting the state and wrap-up timers from when they started after a reload (not from 0:00)', async () => {
    const seconds = async (sel: string) => {
      const [m, sec] = ((await page.locator(sel).textContent()) ?? '').split(':').map(Number);
      return m * 60 + sec;
    };
    /** Waits until the timer shows at least n seconds. */
    const reach = (sel: string, n: number) => page.waitForFunction(([s, min]) => {
      const [m, sec] = (document.querySelector(s)?.textContent ?? '').split(':').map(Number);
      return m * 60 + sec >= min;
    }, [sel, n] as const, { timeout: 15_000 });
    /** Reloads and waits for the state and a tick of the timers. */
    const reload = async (state: string) => {
      await page.reload();
      await page.locator(`#state-label[data-state="${state}"]`).waitFor();
      await page.waitForTimeout(1200);
    };

    const first = await nextPreview();
    await reach('#state-timer', 5);
    await reload('reserved');
    // A restarted timer would show 0:01 or 0:02 here.
    expect(await seconds('#state-timer')).toBeGreaterThanOrEqual(5);

    await dialAndHangUp(first);
    await reach('#wrapup-timer', 5);
    await reload('wrap_up');
    await expect(page.locator('#wrapup').isVisible()).resolves.toBe(true);
    expect(await seconds('#wrapup-timer')).toBeGreaterThanOrEqual(5);
    expect(await seconds('#state-timer')).toBeGreaterThanOrEqual(5);
    await hx.screenshot(page, 'agent-reload-wrapup-timer');
    await page.getByLabel('Outcome', { exact: true }).selectOption('no_sale');
    await page.getByRole('button', { name: 'Save outcome' }).click();
    await waitFor(async () => (await hx.t.db.query(`SELECT 1 FROM dispositions d JOIN leads l ON l.id = d.lead_id WHERE l.phone = $1`, [byName.get(first)])).length > 0, 15_000, 'the disposition');
  });

  it('logs the agent out of the dialer when they log out of the page (no answered calls for an empty seat)', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    const [ev] = await hx.t.db.query(`SELECT state FROM agent_state_events WHERE agent_id = $1 ORDER BY id DESC LIMIT 1`, [agentId]);
    expect(ev.state).toBe('logged_out');
    // A preview that was on screen went back to the pool.
    expect(await hx.t.db.query(`SELECT id FROM calls WHERE agent_id = $1 AND state = 'preview'`, [agentId])).toEqual([]);
  });
});
