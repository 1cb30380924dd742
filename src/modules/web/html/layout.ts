import { Role } from '../../users/user.entity';
import { Lang, MessageKey, messagesFor, translate } from '../i18n/messages';
import { html, jsonForScript, SafeHtml } from './html';

export type PageName = 'agent' | 'manager' | 'compliance';

/** Which roles may open each page; the page controllers use the same table in @Roles. */
export const PAGE_ROLES: Record<PageName, Role[]> = {
  agent: [Role.Agent],
  manager: [Role.Manager, Role.Admin],
  compliance: [Role.Compliance, Role.Admin],
};

export const homeFor = (role: Role): string =>
  role === Role.Agent ? '/agent' : role === Role.Compliance ? '/compliance' : '/manager';

export interface PageUser {
  id: string;
  role: Role;
  displayName: string;
}

export interface LayoutInput {
  lang: Lang;
  title: MessageKey;
  /** The client module for this page (under /assets/js/), or none. */
  script?: string;
  user?: PageUser;
  active?: PageName;
  body: SafeHtml;
}

const NAV: { page: PageName; label: MessageKey }[] = [
  { page: 'agent', label: 'nav.agent' },
  { page: 'manager', label: 'nav.manager' },
  { page: 'compliance', label: 'nav.compliance' },
];

export function layout(p: LayoutInput): string {
  const t = (k: MessageKey) => translate(p.lang, k);
  const links = p.user ? NAV.filter((n) => PAGE_ROLES[n.page].includes(p.user!.role)) : [];
  const data = { lang: p.lang, messages: messagesFor(p.lang), user: p.user ?? null };
  return (
    '<!doctype html>\n' +
    html`<html lang="${p.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t(p.title)} · ${t('app.name')}</title>
<link rel="stylesheet" href="/assets/css/app.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<script type="module" src="/assets/js/${p.script ?? 'shell.js'}"></script>
</head>
<body class="page-${p.active ?? 'plain'}">
<a class="skip-link" href="#main">${t('app.skip')}</a>
<header class="topbar">
  <a class="brand" href="/"><svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24"><path fill="currentColor" d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"/></svg><span>${t('app.name')}</span></a>
  ${links.length > 1 ? html`<nav class="main-nav" aria-label="${t('nav.label')}">${links.map((n) => html`<a href="/${n.page}"${n.page === p.active ? new SafeHtml(' aria-current="page"') : ''}>${t(n.label)}</a>`)}</nav>` : ''}
  <div class="topbar-end">
    <label class="lang"><span class="visually-hidden">${t('app.language')}</span>
      <select id="lang-select" data-current="${p.lang}">
        <option value="en"${p.lang === 'en' ? new SafeHtml(' selected') : ''}>English</option>
        <option value="zh-CN"${p.lang === 'zh-CN' ? new SafeHtml(' selected') : ''}>简体中文</option>
      </select>
    </label>
    ${p.user ? html`<span class="who"><span class="who-name">${p.user.displayName}</span> <span class="role-chip">${t(`role.${p.user.role}` as MessageKey)}</span></span>
    <button type="button" id="logout" class="ghost">${t('app.logout')}</button>` : ''}
  </div>
</header>
<main id="main" tabindex="-1">
${p.body}
</main>
<div id="toast" class="toast" role="status" aria-live="polite"></div>
<script type="application/json" id="page-data">${jsonForScript(data)}</script>
</body>
</html>
`.value
  );
}
