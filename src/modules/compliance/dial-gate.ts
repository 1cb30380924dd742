import { checkCallingHoursForRegions } from './calling-hours';
import { CampaignView, ComplianceRules, DIALABLE_STATUSES, DialDecision, LeadView } from './dial-gate.types';

const block = (reason: Extract<DialDecision, { allowed: false }>['reason'], detail?: string): DialDecision => ({ allowed: false, reason, detail });

/**
 * The one dial gate. Pure: data in, decision out; the caller supplies the instant. Checks run in a fixed order so
 * the reason recorded for a block is the most serious one (a DNC hit is reported as such even out of hours).
 */
export function checkDial(lead: LeadView, campaign: CampaignView, rules: ComplianceRules, at: Date): DialDecision {
  if (!campaign.running) return block('campaign_not_running');
  if (lead.deleted || !DIALABLE_STATUSES.includes(lead.status)) return block('lead_not_dialable', `status ${lead.status}`);
  // 47 CFR 64.1200(d): a request not to be called is honoured by every campaign of the company.
  if (lead.dnc.internal) return block('dnc_internal');
  if (lead.dnc.campaign) return block('dnc_campaign');
  // 47 CFR 64.1200(c)(2): numbers on the national do-not-call registry.
  if (lead.dnc.registry) return block('dnc_registry');
  const regions = lead.regions?.length ? lead.regions : [lead.region];
  const hours = checkCallingHoursForRegions(lead.timezones, rules.legalHours, lead.country, regions, campaign.schedule, at);
  if (!hours.ok) return block(hours.reason, hours.detail);
  // A booked callback (the person asked for this call) is not stopped by the lifetime limit; the daily one applies.
  if (lead.attempts >= campaign.maxAttempts && !lead.callbackBooked) return block('attempts_exhausted', `${lead.attempts}/${campaign.maxAttempts}`);
  if (lead.attemptsToday >= campaign.maxAttemptsPerDay) {
    return block('daily_attempts_exhausted', `${lead.attemptsToday}/${campaign.maxAttemptsPerDay}`);
  }
  if (lead.nextAttemptAt && lead.nextAttemptAt.getTime() > at.getTime()) return block('retry_not_due');
  if (lead.recentDialsToNumber >= rules.frequencyCap.maxDials) {
    return block('frequency_cap', `${lead.recentDialsToNumber} dials in ${rules.frequencyCap.windowHours} h`);
  }
  return { allowed: true };
}
