import { analyzeTemplate, buildContext, maskText, renderTemplate } from './script-template';

const any = { customFields: null };
const known = { customFields: new Set(['plan', '购买日期', 'amount']) };
const env = { locale: 'en-US', timezone: 'America/New_York' };

describe('script templates: checks on save', () => {
  it('accepts the standard variables, custom fields, #if and the safe helpers', () => {
    const t = 'Hi {{properName lead.firstName}}, I am {{agent.firstName}} from {{campaign.name}}.\n'
      + '{{#if lead.custom.plan}}You have {{upper lead.custom.plan}}.{{else}}No plan.{{/if}} '
      + 'Since {{formatDate lead.custom.购买日期 format="long" locale="zh-CN" tz="Asia/Shanghai"}} '
      + '{{formatMoney lead.custom.amount currency="CNY"}} {{mask lead.phone keep=2}}';
    expect(analyzeTemplate(t, known)).toEqual([]);
  });

  it('reports a syntax error with line and column', () => {
    const [p] = analyzeTemplate('Hello\nthere {{lead.firstName', any);
    expect(p.line).toBe(2);
    expect(p.column).toBeGreaterThanOrEqual(7);
    expect(p.reason).toMatch(/^syntax error: expected/);
  });

  it('reports a mismatched block at its name', () => {
    expect(analyzeTemplate('a\n {{#if lead.firstName}}x{{/unless}}', any)).toEqual([
      { line: 2, column: 5, reason: "syntax error: if doesn't match unless" },
    ]);
  });

  it('reports unknown variables and custom fields at their position', () => {
    expect(analyzeTemplate('Hi {{lead.email}}\n  {{lead.custom.color}} {{user.name}}', known)).toEqual([
      { line: 1, column: 6, reason: expect.stringMatching(/^unknown variable lead\.email; known: lead\.firstName/) },
      { line: 2, column: 5, reason: 'unknown variable lead.custom.color: no attached lead list has a custom field "color" (known: amount, plan, 购买日期)' },
      { line: 2, column: 27, reason: expect.stringMatching(/^unknown variable user\.name/) },
    ]);
  });

  it('refuses unescaped output, partials, unknown helpers, data variables, parent paths and other blocks', () => {
    const reasons = (t: string) => analyzeTemplate(t, any).map((p) => p.reason);
    expect(reasons('{{{lead.firstName}}}')[0]).toMatch(/unescaped output/);
    expect(reasons('{{& lead.firstName}}')[0]).toMatch(/unescaped output/);
    expect(reasons('{{> header}}')[0]).toMatch(/partials/);
    expect(reasons('{{lookup lead "constructor"}}')[0]).toMatch(/unknown helper "lookup"/);
    expect(reasons('{{#each lead}}{{/each}}')[0]).toMatch(/only {{#if}} and {{#unless}}/);
    expect(reasons('{{#with lead}}{{firstName}}{{/with}}')[0]).toMatch(/block {{#with}} is not allowed/);
    expect(reasons('{{@root.lead}}')[0]).toMatch(/@root.lead is not allowed/);
    expect(reasons('{{../lead}}')[0]).toMatch(/is not allowed; variables start with/);
    expect(reasons('{{this}}')[0]).toMatch(/is not allowed; variables start with/);
    expect(reasons('{{lead.constructor}}')[0]).toMatch(/unknown variable lead.constructor/);
    expect(reasons('{{formatDate lead.firstName tz="Mars/Olympus"}}')[0]).toMatch(/not an IANA time zone/);
    expect(reasons('{{formatMoney lead.custom.x currency="dollars"}}')[0]).toMatch(/ISO 4217/);
    expect(reasons('{{capitalize lead.firstName style="x"}}')[0]).toMatch(/has no option "style"/);
  });
});

describe('script templates: rendering', () => {
  const ctx = buildContext(
    { firstName: 'o\'brien-smith', lastName: 'Doe', phone: '+14155550123', customFields: { plan: '<b>Gold</b>', amount: 1234.5, since: '2024-03-05T10:00:00Z' } },
    { displayName: 'Ann Agent' },
    { name: 'Renewals' },
  );

  it('escapes HTML in variables and helper output', () => {
    expect(renderTemplate('{{lead.custom.plan}}|{{upper lead.custom.plan}}', ctx, env)).toBe('&lt;b&gt;Gold&lt;/b&gt;|&lt;B&gt;GOLD&lt;/B&gt;');
  });

  it('formats names, money and dates, and masks the phone', () => {
    expect(renderTemplate('{{properName lead.firstName}} / {{agent.firstName}} / {{lead.phone}}', ctx, env))
      .toBe('O&#x27;Brien-Smith / Ann / ••••••••0123');
    expect(renderTemplate('{{formatMoney lead.custom.amount currency="EUR" locale="de-DE"}}', ctx, env)).toBe('1.234,50\u00a0€');
    expect(renderTemplate('{{formatDate lead.custom.since format="yyyy-MM-dd HH:mm"}}', ctx, env)).toBe('2024-03-05 05:00');
    expect(renderTemplate('{{formatDate lead.custom.since format="long" locale="zh-CN" tz="Asia/Shanghai"}}', ctx, env)).toBe('2024年3月5日');
  });

  it('gives no access to prototypes', () => {
    expect(renderTemplate('[{{lead.constructor}}][{{lead.custom.__proto__}}][{{lead.custom.toString}}]', ctx, env)).toBe('[][][]');
  });

  it('masks all but the last characters', () => {
    expect(maskText('1234 5678 9012', 4)).toBe('•••• •••• 9012');
    expect(maskText('12', 4)).toBe('••');
  });
});
