import { CampaignStatus } from './campaign.entity';

const S = CampaignStatus;

/**
 * Allowed status changes. Completed is terminal: a finished campaign is copied, never reopened, so its
 * figures (abandon rate, conversions) stay those of one run.
 */
export const TRANSITIONS: Readonly<Record<CampaignStatus, readonly CampaignStatus[]>> = {
  [S.Draft]: [S.Scheduled, S.Running],
  [S.Scheduled]: [S.Draft, S.Running, S.Completed],
  [S.Running]: [S.Paused, S.Completed],
  [S.Paused]: [S.Running, S.Completed],
  [S.Completed]: [],
};

export function canTransition(from: CampaignStatus, to: CampaignStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses in which a campaign may still be edited. */
export const EDITABLE_STATUSES: readonly CampaignStatus[] = [S.Draft, S.Scheduled, S.Running, S.Paused];
