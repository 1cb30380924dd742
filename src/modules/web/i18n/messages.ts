import { en } from './en';
import { zhCN } from './zh-cn';

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
export type Lang = 'en' | 'zh-CN';
export const LANGS: Lang[] = ['en', 'zh-CN'];

const CATALOG: Record<Lang, Messages> = { en, 'zh-CN': zhCN };

export const messagesFor = (lang: Lang): Messages => CATALOG[lang];
export const translate = (lang: Lang, key: MessageKey): string => CATALOG[lang][key] ?? en[key] ?? key;

/** A cookie value as written, or undefined when it is not valid percent-encoding (a tampered cookie is ignored). */
function safeDecode(v: string): string | undefined {
  try {
    return decodeURIComponent(v);
  } catch {
    return undefined;
  }
}

/** The page language: the user's choice (cookie), else the browser's Accept-Language, else English. */
export function pickLang(cookieHeader: string | undefined, acceptLanguage: string | undefined): Lang {
  const m = /(?:^|;\s*)dialer_lang=([^;]+)/.exec(cookieHeader ?? '');
  const chosen = m ? safeDecode(m[1]) : undefined;
  if (chosen && (LANGS as string[]).includes(chosen)) return chosen as Lang;
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('zh') ? 'zh-CN' : 'en';
}
