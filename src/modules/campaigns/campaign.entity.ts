import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum CampaignStatus {
  Draft = 'draft',
  Scheduled = 'scheduled',
  Running = 'running',
  Paused = 'paused',
  Completed = 'completed',
}
export enum DialMode {
  Preview = 'preview',
  Progressive = 'progressive',
  Predictive = 'predictive',
}

/**
 * When a preview reaches the campaign's time limit: 'dial' places it as if the agent clicked Dial (same path: the
 * dial gate is asked again); 'skip' returns the lead like a pass and pauses the agent ('preview_timeout').
 */
export type PreviewTimeoutAction = 'dial' | 'skip';

const numeric = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

@Entity('campaigns')
export class CampaignEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column({ type: 'enum', enum: CampaignStatus, enumName: 'campaign_status', default: CampaignStatus.Draft }) status: CampaignStatus;
  @Column({ name: 'dial_mode', type: 'enum', enum: DialMode, enumName: 'dial_mode', default: DialMode.Progressive }) dialMode: DialMode;
  @Column('text', { default: 'UTC' }) timezone: string;
  @Column('timestamptz', { name: 'starts_at', nullable: true }) startsAt: Date | null;
  @Column('timestamptz', { name: 'ends_at', nullable: true }) endsAt: Date | null;
  @Column('jsonb', { default: {} }) schedule: Record<string, unknown>;
  @Column('jsonb', { default: {} }) pacing: Record<string, unknown>;
  @Column('jsonb', { name: 'retry_rules', default: {} }) retryRules: Record<string, unknown>;
  @Column('numeric', { name: 'abandon_target', precision: 4, scale: 2, default: 3, transformer: numeric }) abandonTarget: number;
  @Column('numeric', { name: 'max_lines_per_agent', precision: 5, scale: 2, default: 3, transformer: numeric }) maxLinesPerAgent: number;
  @Column('int', { name: 'ring_timeout_s', default: 25 }) ringTimeoutS: number;
  @Column('int', { name: 'max_attempts', default: 5 }) maxAttempts: number;
  @Column('int', { name: 'max_attempts_per_day', default: 3 }) maxAttemptsPerDay: number;
  @Column('text', { name: 'caller_id', nullable: true }) callerId: string | null;
  @Column('uuid', { name: 'gateway_id', nullable: true }) gatewayId: string | null;
  @Column('uuid', { name: 'script_id', nullable: true }) scriptId: string | null;
  @Column('boolean', { name: 'record_calls', default: false }) recordCalls: boolean;
  @Column('text', { name: 'callback_policy', default: 'agent_or_anyone' }) callbackPolicy: string;
  /** Preview mode: seconds a lead may stay on an agent's screen before the dialer acts; null = no limit. */
  @Column('int', { name: 'preview_time_limit_s', nullable: true }) previewTimeLimitSeconds: number | null;
  /** What the dialer does when the preview time limit is reached (see PreviewTimeoutAction). */
  @Column('text', { name: 'preview_timeout_action', default: 'skip' }) previewTimeoutAction: PreviewTimeoutAction;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  /** Edit version (optimistic concurrency): +1 on every settings edit (not status changes); see src/common/http/edit-version.ts. */
  @Column('int', { default: 1 }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
}

@Entity('campaign_status_events')
export class CampaignStatusEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('uuid', { name: 'campaign_id' }) campaignId: string;
  @Column({ name: 'from_status', type: 'enum', enum: CampaignStatus, enumName: 'campaign_status', nullable: true }) fromStatus: CampaignStatus | null;
  @Column({ name: 'to_status', type: 'enum', enum: CampaignStatus, enumName: 'campaign_status' }) toStatus: CampaignStatus;
  @Column('text', { nullable: true }) reason: string | null;
  @Column('uuid', { name: 'actor_user_id', nullable: true }) actorUserId: string | null;
  @Column('timestamptz', { default: () => 'now()' }) at: Date;
}

@Entity('campaign_outcomes')
export class CampaignOutcomeEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'campaign_id' }) campaignId: string;
  @Column('text') code: string;
  @Column('text') label: string;
  @Column('boolean', { name: 'is_final', default: false }) isFinal: boolean;
  @Column('boolean', { name: 'is_success', default: false }) isSuccess: boolean;
  @Column('boolean', { name: 'is_dnc', default: false }) isDnc: boolean;
  @Column('int', { name: 'retry_after_minutes', nullable: true }) retryAfterMinutes: number | null;
  @Column('int', { name: 'sort_order', default: 0 }) sortOrder: number;
}

@Entity('campaign_lists')
export class CampaignListEntity {
  @Column('uuid', { name: 'campaign_id', primary: true }) campaignId: string;
  @Column('uuid', { name: 'list_id', primary: true }) listId: string;
  @Column('int', { default: 1 }) priority: number;
  @Column('int', { default: 1 }) weight: number;
  @Column('boolean', { default: true }) active: boolean;
}
