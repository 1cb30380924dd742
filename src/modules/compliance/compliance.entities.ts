import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum DncScope {
  Internal = 'internal',
  Campaign = 'campaign',
  Registry = 'registry',
}

@Entity('dnc_entries')
export class DncEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('text') phone: string;
  @Column({ type: 'enum', enum: DncScope, enumName: 'dnc_scope' }) scope: DncScope;
  @Column('uuid', { name: 'campaign_id', nullable: true }) campaignId: string | null;
  @Column('text', { nullable: true }) source: string | null;
  @Column('text', { nullable: true }) reason: string | null;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'removed_at', nullable: true }) removedAt: Date | null;
  @Column('uuid', { name: 'removed_by', nullable: true }) removedBy: string | null;
  @Column('text', { name: 'removed_reason', nullable: true }) removedReason: string | null;
}

/** Append-only evidence: the database rejects UPDATE, DELETE and TRUNCATE on this table. */
@Entity('compliance_events')
export class ComplianceEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('timestamptz', { name: 'occurred_at', default: () => 'now()' }) occurredAt: Date;
  @Column('text') type: string;
  @Column('text', { name: 'reason_code', nullable: true }) reasonCode: string | null;
  @Column('uuid', { name: 'actor_user_id', nullable: true }) actorUserId: string | null;
  @Column('text', { default: 'system' }) actor: string;
  @Column('uuid', { name: 'campaign_id', nullable: true }) campaignId: string | null;
  @Column('bigint', { name: 'lead_id', nullable: true }) leadId: string | null;
  @Column('uuid', { name: 'call_id', nullable: true }) callId: string | null;
  @Column('uuid', { name: 'agent_id', nullable: true }) agentId: string | null;
  @Column('text', { nullable: true }) phone: string | null;
  @Column('jsonb', { default: {} }) details: Record<string, unknown>;
}

export type RegistryImportStatus = 'queued' | 'running' | 'completed' | 'failed' | 'superseded';

const bigintNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/** One imported copy of a national DNC registry file. */
@Entity('dnc_registry_imports')
export class DncRegistryImportEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('text') source: string;
  @Column('char', { length: 2 }) country: string;
  @Column('date', { name: 'file_date' }) fileDate: string;
  @Column('text', { name: 'file_name', nullable: true }) fileName: string | null;
  @Column('text', { default: 'queued' }) status: RegistryImportStatus;
  @Column('bigint', { name: 'lines_read', default: 0, transformer: bigintNumber }) linesRead: number;
  @Column('bigint', { default: 0, transformer: bigintNumber }) imported: number;
  @Column('bigint', { default: 0, transformer: bigintNumber }) rejected: number;
  @Column('bigint', { name: 'total_bytes', nullable: true, transformer: bigintNumber }) totalBytes: number | null;
  @Column('bigint', { name: 'bytes_read', default: 0, transformer: bigintNumber }) bytesRead: number;
  @Column('text', { nullable: true }) error: string | null;
  @Column('text', { name: 'job_id', nullable: true }) jobId: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt: Date | null;
}

/** Legal calling window of a country or region ('US', 'US-FL', '*'); see LegalHoursRule. */
@Entity('calling_hours_rules')
export class CallingHoursRuleEntity {
  @Column('text', { primary: true }) region: string;
  @Column('jsonb') windows: { days: number[]; start: string; end: string }[];
  @Column('jsonb', { default: [] }) holidays: string[];
  @Column('text', { nullable: true }) citation: string | null;
  @Column('uuid', { name: 'updated_by', nullable: true }) updatedBy: string | null;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}
