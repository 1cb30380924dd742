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
