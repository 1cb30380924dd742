import Handlebars from 'handlebars';
import { DateTime, IANAZone } from 'luxon';

/**
 * The script template language: Handlebars on an isolated instance, always HTML-escaped, with a fixed set of
 * safe helpers and the variables lead.*, agent.*, campaign.*. Templates are checked on save (syntax,
 * helpers, variables) so an agent never sees a broken or surprising script mid-call.
 *
 * Refused: {{{triple-stash}}} and {{& x}} (unescaped), partials, decorators, block helpers other than
 * #if/#unless, @data variables, ../ and this, any helper not listed in HELPERS.
 */

export const STANDARD_VARIABLES: Record<'lead' | 'agent' | 'campaign', readonly string[]> = {
  lead: ['firstName', 'lastName', 'fullName', 'phone', 'postalCode', 'country', 'timezone'],
  agent: ['name', 'firstName'],
  campaign: ['name'],
};

/** Helper name -> allowed hash options. */
export const HELPERS: Record<string, readonly string[]> = {
  formatDate: ['format', 'locale', 'tz'],
  formatMoney: ['currency', 'locale'],
  capitalize: [],
  properName: [],
  upper: [],
  lower: [],
  mask: ['keep'],
};
const BLOCKS = ['if', 'unless'];

export interface TemplateProblem {
  line: number;
  /** 1-based. */
  column: number;
  reason: string;
}

/** customFields: the lead custom field names the template may use; null accepts any (no list known yet). */
export interface VariableRules {
  customFields: ReadonlySet<string> | null;
}

type Node = hbs.AST.Node & { loc?: hbs.AST.SourceLocation };

const at = (node: Node | undefined, reason: string): TemplateProblem => ({
  line: node?.loc?.start.line ?? 1,
  column: (node?.loc?.start.column ?? 0) + 1,
  reason,
});

const hb = Handlebars.create();

/** Syntax, helpers and variables of one template; empty when it is fine. */
export function analyzeTemplate(template: string, rules: VariableRules): TemplateProblem[] {
  let ast: hbs.AST.Program;
  try {
    ast = hb.parse(template) as unknown as hbs.AST.Program;
  } catch (e) {
    return [parseProblem(e as Error & { lineNumber?: number; column?: number })];
  }
  const problems: TemplateProblem[] = [];
  walkProgram(ast, rules, problems);
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

function parseProblem(e: Error & { lineNumber?: number; column?: number }): TemplateProblem {
  const lines = e.message.split('\n');
  if (typeof e.lineNumber === 'number') {
    return { line: e.lineNumber, column: (e.column ?? 0) + 1, reason: `syntax error: ${lines[0].replace(/ - \d+:\d+$/, '')}` };
  }
  // Jison parse errors carry no location on the error; the shared lexer still holds the offending token's.
  const loc = (hb as unknown as { Parser?: { lexer?: { yylloc?: { first_line: number; first_column: number } } } }).Parser?.lexer?.yylloc;
  const lineFromMessage = Number(/on line (\d+)/.exec(lines[0])?.[1] ?? 1);
  const expecting = lines.find((l) => l.startsWith('Expecting')) ?? lines[lines.length - 1];
  return {
    line: loc?.first_line ?? lineFromMessage,
    column: (loc?.first_column ?? 0) + 1,
    reason: `syntax error: ${expecting.replace(/^Expecting (.*), got (.*)$/, 'expected $1, got $2')}`.slice(0, 300),
  };
}

function walkProgram(p: hbs.AST.Program | undefined, rules: VariableRules, out: TemplateProblem[]): void {
  for (const s of p?.body ?? []) walkStatement(s as Node, rules, out);
}

function walkStatement(s: Node, rules: VariableRules, out: TemplateProblem[]): void {
  switch (s.type) {
    case 'ContentStatement':
    case 'CommentStatement':
      return;
    case 'MustacheStatement': {
      const m = s as unknown as hbs.AST.MustacheStatement;
      if (!m.escaped) out.push(at(s, 'unescaped output ({{{ }}} or {{& }}) is not allowed; use {{ }}'));
      callOrValue(m.path as Node, m.params as Node[], m.hash, s, rules, out);
      return;
    }
    case 'BlockStatement': {
      const b = s as unknown as hbs.AST.BlockStatement;
      const name = b.path.type === 'PathExpression' ? (b.path as hbs.AST.PathExpression).original : '';
      if (!BLOCKS.includes(name)) {
        out.push(at(s, `block {{#${name || '?'}}} is not allowed; only {{#if}} and {{#unless}}`));
      } else if (b.params.length !== 1 || (b.hash && b.hash.pairs.length)) {
        out.push(at(s, `{{#${name}}} takes exactly one condition`));
      } else {
        expression(b.params[0] as Node, rules, out);
      }
      walkProgram(b.program, rules, out);
      walkProgram(b.inverse, rules, out);
      return;
    }
    case 'PartialStatement':
    case 'PartialBlockStatement':
      out.push(at(s, 'partials ({{> name}}) are not allowed'));
      return;
    case 'Decorator':
    case 'DecoratorBlock':
      out.push(at(s, 'decorators are not allowed'));
      return;
    default:
      out.push(at(s, `${s.type} is not allowed`));
  }
}

/** {{path}} or {{helper arg... key=value}} (also a subexpression). */
function callOrValue(path: Node, params: Node[], hash: hbs.AST.Hash | undefined, node: Node, rules: VariableRules, out: TemplateProblem[]): void {
  const isCall = params.length > 0 || (hash?.pairs.length ?? 0) > 0;
  if (path.type !== 'PathExpression') {
    out.push(at(node, 'only variables (lead.*, agent.*, campaign.*) and helpers can be output'));
    return;
  }
  const name = (path as unknown as hbs.AST.PathExpression).original;
  if (!isCall) {
    if (Object.hasOwn(HELPERS, name)) out.push(at(node, `helper ${name} needs an argument, e.g. {{${name} lead.firstName}}`));
    else variable(path, rules, out);
    return;
  }
  if (!Object.hasOwn(HELPERS, name)) {
    out.push(at(node, `unknown helper "${name}"; allowed: ${Object.keys(HELPERS).join(', ')}`));
    return;
  }
  if (params.length !== 1) out.push(at(node, `helper ${name} takes exactly one value`));
  for (const p of params) expression(p, rules, out);
  for (const pair of hash?.pairs ?? []) {
    if (!HELPERS[name].includes(pair.key)) {
      out.push(at(pair as Node, `helper ${name} has no option "${pair.key}"${HELPERS[name].length ? `; options: ${HELPERS[name].join(', ')}` : ''}`));
      continue;
    }
    const v = pair.value as Node;
    if (v.type === 'StringLiteral') {
      const problem = optionProblem(pair.key, (v as unknown as hbs.AST.StringLiteral).value);
      if (problem) out.push(at(v, `${name} ${pair.key}: ${problem}`));
    } else {
      expression(v, rules, out);
    }
  }
}

function expression(e: Node, rules: VariableRules, out: TemplateProblem[]): void {
  switch (e.type) {
    case 'PathExpression':
      variable(e, rules, out);
      return;
    case 'SubExpression': {
      const s = e as unknown as hbs.AST.SubExpression;
      if (s.params.length === 0 && !(s.hash?.pairs.length)) out.push(at(e, 'a (subexpression) must call a helper with a value'));
      else callOrValue(s.path as Node, s.params as Node[], s.hash, e, rules, out);
      return;
    }
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'BooleanLiteral':
    case 'UndefinedLiteral':
    case 'NullLiteral':
      return;
    default:
      out.push(at(e, `${e.type} is not allowed here`));
  }
}

function variable(e: Node, rules: VariableRules, out: TemplateProblem[]): void {
  const p = e as unknown as hbs.AST.PathExpression;
  if (p.data) {
    out.push(at(e, `@${p.parts.join('.')} is not allowed; use lead.*, agent.* or campaign.*`));
    return;
  }
  if (p.depth > 0 || /^(this\b|\.\/|\.$)/.test(p.original) || p.parts.length === 0) {
    out.push(at(e, `"${p.original}" is not allowed; variables start with lead., agent. or campaign.`));
    return;
  }
  const [root, ...rest] = p.parts;
  const name = p.parts.join('.');
  if (!Object.hasOwn(STANDARD_VARIABLES, root)) {
    out.push(at(e, `unknown variable ${name}; variables start with lead., agent. or campaign.`));
    return;
  }
  const std = STANDARD_VARIABLES[root as keyof typeof STANDARD_VARIABLES];
  if (root === 'lead' && rest[0] === 'custom') {
    if (rest.length !== 2) {
      out.push(at(e, `unknown variable ${name}; custom fields are written lead.custom.fieldName`));
    } else if (rules.customFields && !rules.customFields.has(rest[1])) {
      const known = [...rules.customFields].sort();
      out.push(at(e, `unknown variable ${name}: no attached lead list has a custom field "${rest[1]}"${known.length ? ` (known: ${known.join(', ')})` : ''}`));
    }
    return;
  }
  if (rest.length !== 1 || !std.includes(rest[0])) {
    out.push(at(e, `unknown variable ${name}; known: ${std.map((v) => `${root}.${v}`).join(', ')}${root === 'lead' ? ', lead.custom.<field>' : ''}`));
  }
}

function optionProblem(key: string, value: string): string | null {
  if (key === 'locale') {
    try {
      Intl.getCanonicalLocales(value);
      return null;
    } catch {
      return `"${value}" is not a locale (e.g. en-US, zh-CN)`;
    }
  }
  if (key === 'tz') return IANAZone.isValidZone(value) ? null : `"${value}" is not an IANA time zone`;
  if (key === 'currency') {
    if (!/^[A-Z]{3}$/.test(value)) return `"${value}" is not an ISO 4217 currency code (e.g. USD, CNY)`;
    return null;
  }
  if (key === 'keep') return 'must be a number';
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

export interface RenderEnv {
  /** Default locale for dates and money (the agent's). */
  locale: string;
  /** Default time zone for dates (the lead's, else the campaign's). */
  timezone: string;
}

const envOf = (options: Handlebars.HelperOptions): RenderEnv =>
  ((options?.data as { env?: RenderEnv } | undefined)?.env ?? { locale: 'en', timezone: 'UTC' });

const str = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

const safeLocale = (l: unknown, fallback: string): string => {
  try {
    return typeof l === 'string' && l ? Intl.getCanonicalLocales(l)[0] : fallback;
  } catch {
    return fallback;
  }
};

function toDateTime(v: unknown): DateTime | null {
  if (v instanceof Date) return DateTime.fromJSDate(v);
  if (typeof v === 'number') return DateTime.fromMillis(v);
  if (typeof v === 'string' && v.trim()) {
    const d = DateTime.fromISO(v.trim(), { setZone: true });
    return d.isValid ? d : null;
  }
  return null;
}

const PRESETS: Record<string, Intl.DateTimeFormatOptions> = {
  short: DateTime.DATE_SHORT, medium: DateTime.DATE_MED, long: DateTime.DATE_FULL, full: DateTime.DATE_HUGE,
  datetime: DateTime.DATETIME_MED, time: DateTime.TIME_SIMPLE,
};

/** Helpers never throw: a value they cannot format is shown as it is (still escaped). */
export const helperImpls: Record<keyof typeof HELPERS, Handlebars.HelperDelegate> = {
  formatDate(value: unknown, options: Handlebars.HelperOptions) {
    const env = envOf(options);
    const d = toDateTime(value);
    if (!d) return str(value);
    const h = options.hash ?? {};
    const zone = typeof h.tz === 'string' && IANAZone.isValidZone(h.tz) ? h.tz : env.timezone;
    const dt = d.setZone(zone).setLocale(safeLocale(h.locale, env.locale));
    const format = typeof h.format === 'string' ? h.format : 'medium';
    return PRESETS[format] ? dt.toLocaleString(PRESETS[format]) : dt.toFormat(format);
  },
  formatMoney(value: unknown, options: Handlebars.HelperOptions) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n)) return str(value);
    const h = options.hash ?? {};
    try {
      return new Intl.NumberFormat(safeLocale(h.locale, envOf(options).locale), { style: 'currency', currency: typeof h.currency === 'string' ? h.currency : 'USD' }).format(n);
    } catch {
      return String(n);
    }
  },
  capitalize(value: unknown) {
    const s = str(value);
    return s ? s.charAt(0).toLocaleUpperCase() + s.slice(1) : s;
  },
  properName(value: unknown) {
    return str(value).toLocaleLowerCase().replace(/(^|[\s'\-’])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toLocaleUpperCase());
  },
  upper: (value: unknown) => str(value).toLocaleUpperCase(),
  lower: (value: unknown) => str(value).toLocaleLowerCase(),
  mask(value: unknown, options: Handlebars.HelperOptions) {
    const keep = Math.max(0, Math.min(8, Number(options.hash?.keep ?? 4) || 0));
    return maskText(str(value), keep);
  },
};

export function maskText(s: string, keep = 4): string {
  const chars = [...s];
  if (chars.length <= keep) return '•'.repeat(chars.length);
  return chars.map((c, i) => (i >= chars.length - keep || /\s/.test(c) ? c : '•')).join('');
}

for (const [name, fn] of Object.entries(helperImpls)) hb.registerHelper(name, fn);

const KNOWN_HELPERS = Object.fromEntries(Object.keys(HELPERS).map((h) => [h, true]));
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Renders an already-checked template. Prototype access stays off (Handlebars 4.6+ defaults, stated here on purpose). */
export function renderTemplate(template: string, context: ScriptContext, env: RenderEnv): string {
  let fn = compiled.get(template);
  if (!fn) {
    fn = hb.compile(template, { knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true, strict: false, noEscape: false });
    if (compiled.size > 500) compiled.clear();
    compiled.set(template, fn);
  }
  return fn(context, {
    data: { env },
    allowProtoPropertiesByDefault: false,
    allowProtoMethodsByDefault: false,
    allowCallsToHelperMissing: false,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Context

export interface ScriptLeadInput {
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  postalCode?: string | null;
  country?: string | null;
  timezone?: string | null;
  customFields?: Record<string, unknown> | null;
}
export interface ScriptAgentInput {
  displayName?: string | null;
  name?: string | null;
  locale?: string | null;
}
export interface ScriptCampaignInput {
  name: string;
  timezone?: string | null;
}

export interface ScriptContext {
  lead: Record<string, unknown> & { custom: Record<string, string | number | boolean> };
  agent: Record<string, string>;
  campaign: Record<string, string>;
}

/** The variables a template sees. The phone number is masked: the agent needs to confirm it, not read it out. */
export function buildContext(lead: ScriptLeadInput, agent: ScriptAgentInput, campaign: ScriptCampaignInput): ScriptContext {
  const custom: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(lead.customFields ?? {})) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') custom[k] = v;
  }
  const agentName = agent.displayName ?? agent.name ?? '';
  const firstName = lead.firstName ?? '';
  const lastName = lead.lastName ?? '';
  return {
    lead: {
      firstName, lastName, fullName: [firstName, lastName].filter(Boolean).join(' '),
      phone: lead.phone ? maskText(lead.phone, 4) : '', postalCode: lead.postalCode ?? '', country: lead.country ?? '', timezone: lead.timezone ?? '',
      custom,
    },
    agent: { name: agentName, firstName: agentName.split(/\s+/)[0] ?? '' },
    campaign: { name: campaign.name },
  };
}
