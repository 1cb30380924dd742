import { FieldError } from '../../common/errors/domain-error';
import { ScriptSection } from './script.entities';
import { analyzeTemplate, VariableRules } from './script-template';

/** A template problem as returned in a 400: field path, the section key, and the line/column in that template. */
export interface ScriptFieldError extends FieldError {
  section?: string;
}

/** Checks a script's sections: unique keys, branches going to existing sections, every template. */
export function checkSections(sections: ScriptSection[], rules: VariableRules, field = 'sections'): ScriptFieldError[] {
  const errors: ScriptFieldError[] = [];
  const keys = new Set<string>();
  sections.forEach((s, i) => {
    if (keys.has(s.key)) errors.push({ field: `${field}[${i}].key`, section: s.key, reason: `section key "${s.key}" is used twice` });
    keys.add(s.key);
  });
  sections.forEach((s, i) => {
    (s.branches ?? []).forEach((b, j) => {
      if (!keys.has(b.goto)) errors.push({ field: `${field}[${i}].branches[${j}].goto`, section: s.key, reason: `no section with key "${b.goto}"` });
    });
    for (const p of analyzeTemplate(s.template, rules)) {
      errors.push({ field: `${field}[${i}].template`, section: s.key, line: p.line, column: p.column, reason: p.reason });
    }
  });
  return errors;
}

export const describeErrors = (errors: ScriptFieldError[]): string =>
  errors.slice(0, 5).map((e) => `${e.field}${e.line ? ` (section ${e.section}, line ${e.line}, column ${e.column})` : ''}: ${e.reason}`).join('; ');
