import { FieldError } from '../../common/errors/domain-error';
import { CampaignOutcomeView } from './campaign-settings';

/** The outcome set a new campaign starts with; the manager may edit it. */
export const DEFAULT_OUTCOMES: CampaignOutcomeView[] = [
  { code: 'sale', label: 'Sale', isFinal: true, isSuccess: true, isDnc: false, retryAfterMinutes: null, sortOrder: 10 },
  { code: 'appointment', label: 'Appointment set', isFinal: true, isSuccess: true, isDnc: false, retryAfterMinutes: null, sortOrder: 20 },
  { code: 'callback', label: 'Call back', isFinal: false, isSuccess: false, isDnc: false, retryAfterMinutes: null, sortOrder: 30 },
  { code: 'not_interested', label: 'Not interested', isFinal: true, isSuccess: false, isDnc: false, retryAfterMinutes: null, sortOrder: 40 },
  { code: 'no_answer', label: 'No answer', isFinal: false, isSuccess: false, isDnc: false, retryAfterMinutes: null, sortOrder: 50 },
  { code: 'busy', label: 'Busy', isFinal: false, isSuccess: false, isDnc: false, retryAfterMinutes: null, sortOrder: 60 },
  { code: 'answering_machine', label: 'Answering machine', isFinal: false, isSuccess: false, isDnc: false, retryAfterMinutes: null, sortOrder: 70 },
  { code: 'wrong_number', label: 'Wrong number', isFinal: true, isSuccess: false, isDnc: false, retryAfterMinutes: null, sortOrder: 80 },
  { code: 'do_not_call', label: 'Do not call again', isFinal: true, isSuccess: false, isDnc: true, retryAfterMinutes: null, sortOrder: 90 },
];

export interface OutcomeInput {
  code: string;
  label: string;
  isFinal?: boolean;
  isSuccess?: boolean;
  isDnc?: boolean;
  retryAfterMinutes?: number | null;
}

/** Normalises an outcome set and lists what is wrong with it, each problem naming its field. */
export function checkOutcomeSet(input: OutcomeInput[], field = 'outcomes'): { outcomes: CampaignOutcomeView[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const outcomes = input.map((o, i) => {
    const v: CampaignOutcomeView = {
      code: o.code, label: o.label, isFinal: !!o.isFinal || !!o.isDnc || !!o.isSuccess, isSuccess: !!o.isSuccess, isDnc: !!o.isDnc,
      retryAfterMinutes: o.retryAfterMinutes ?? null, sortOrder: (i + 1) * 10,
    };
    if (seen.has(o.code)) errors.push({ field: `${field}[${i}].code`, reason: `"${o.code}" is used twice` });
    seen.add(o.code);
    if (o.isFinal === false && (o.isDnc || o.isSuccess)) {
      errors.push({ field: `${field}[${i}].isFinal`, reason: 'a success or DNC outcome is always final' });
    }
    if (o.isSuccess && o.isDnc) errors.push({ field: `${field}[${i}].isDnc`, reason: 'an outcome cannot be both success and DNC' });
    if (v.isFinal && v.retryAfterMinutes !== null) {
      errors.push({ field: `${field}[${i}].retryAfterMinutes`, reason: 'only a non-final outcome can be retried' });
    }
    return v;
  });
  if (!outcomes.some((o) => o.isSuccess)) errors.push({ field, reason: 'must contain at least one success outcome' });
  // A person who asks not to be called again must be recordable on every campaign (47 CFR 64.1200(d)(3)).
  if (!outcomes.some((o) => o.isDnc)) errors.push({ field, reason: 'must contain at least one DNC outcome' });
  return { outcomes, errors };
}
