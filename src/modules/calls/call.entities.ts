import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DialMode } from '../campaigns/campaign.entity';

export type CallState =
  | 'preview' | 'skipped' | 'queued' | 'dialing' | 'ringing' | 'answered' | 'connected' | 'abandoned' | 'ended' | 'wrap_up' | 'dispositioned' | 'failed';

@Entity('calls')
export class CallEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'campaign_id' }) campaignId: string;
  @Column('bigint', { name: 'lead_id' }) leadId: string;
  @Column('text') phone: string;
  @Column('int', { default: 1 }) attempt: number;
  @Column({ name: 'dial_mode', type: 'enum', enum: DialMode, enumName: 'dial_mode' }) dialMode: DialMode;
  @Column('text', { default: 'queued' }) state: CallState;
  @Column('text', { name: 'answer_type', nullable: true }) answerType: 'human' | 'machine' | null;
  @Column('text', { nullable: true }) outcome: string | null;
  @Column('int', { name: 'sip_code', nullable: true }) sipCode: number | null;
  @Column('text', { name: 'sip_reason', nullable: true }) sipReason: string | null;
  @Column('text', { name: 'caller_id', nullable: true }) callerId: string | null;
  @Column('uuid', { name: 'gateway_id', nullable: true }) gatewayId: string | null;
  @Column('uuid', { name: 'agent_id', nullable: true }) agentId: string | null;
  @Column('uuid', { name: 'script_version_id', nullable: true }) scriptVersionId: string | null;
  @Column('text', { name: 'sip_call_id', nullable: true }) sipCallId: string | null;
  @Column('text', { name: 'worker_id', nullable: true }) workerId: string | null;
  @Column('text', { name: 'hangup_by', nullable: true }) hangupBy: 'customer' | 'agent' | 'system' | 'carrier' | null;
  @Column('text', { name: 'recording_path', nullable: true }) recordingPath: string | null;
  @Column('timestamptz', { name: 'queued_at', default: () => 'now()' }) queuedAt: Date;
  /** A preview's deadline and what the dialer then does, fixed at the offer from the campaign's settings. */
  @Column('timestamptz', { name: 'preview_expires_at', nullable: true }) previewExpiresAt: Date | null;
  @Column('text', { name: 'preview_timeout_action', nullable: true }) previewTimeoutAction: 'dial' | 'skip' | null;
  @Column('timestamptz', { name: 'dial_at', nullable: true }) dialAt: Date | null;
  @Column('timestamptz', { name: 'ring_at', nullable: true }) ringAt: Date | null;
  @Column('timestamptz', { name: 'answer_at', nullable: true }) answerAt: Date | null;
  @Column('timestamptz', { name: 'connect_at', nullable: true }) connectAt: Date | null;
  @Column('timestamptz', { name: 'abandon_at', nullable: true }) abandonAt: Date | null;
  @Column('timestamptz', { name: 'end_at', nullable: true }) endAt: Date | null;
  @Column('timestamptz', { name: 'wrapup_end_at', nullable: true }) wrapupEndAt: Date | null;
  @Column('timestamptz', { name: 'disposition_at', nullable: true }) dispositionAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('call_objections')
export class CallObjectionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'call_id' }) callId: string;
  @Column('uuid', { name: 'objection_id' }) objectionId: string;
  @Column('boolean', { default: false }) overcome: boolean;
  @Column('uuid', { name: 'agent_id', nullable: true }) agentId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('dispositions')
export class DispositionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'call_id' }) callId: string;
  @Column('uuid', { name: 'campaign_id' }) campaignId: string;
  @Column('bigint', { name: 'lead_id' }) leadId: string;
  @Column('uuid', { name: 'agent_id', nullable: true }) agentId: string | null;
  @Column('text') outcome: string;
  @Column('text', { nullable: true }) notes: string | null;
  @Column('timestamptz', { name: 'callback_at', nullable: true }) callbackAt: Date | null;
  @Column('text', { name: 'callback_scope', nullable: true }) callbackScope: 'agent' | 'anyone' | null;
  @Column('boolean', { name: 'dnc_requested', default: false }) dncRequested: boolean;
  /** A manager or admin who recorded it on the agent's behalf (null: the agent did), and why. */
  @Column('uuid', { name: 'recorded_by', nullable: true }) recordedBy: string | null;
  @Column('text', { name: 'recorded_reason', nullable: true }) recordedReason: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('callbacks')
export class CallbackEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'campaign_id' }) campaignId: string;
  @Column('bigint', { name: 'lead_id' }) leadId: string;
  @Column('uuid', { name: 'call_id', nullable: true }) callId: string | null;
  @Column('uuid', { name: 'owner_agent_id', nullable: true }) ownerAgentId: string | null;
  @Column('text') scope: 'agent' | 'anyone';
  @Column('timestamptz', { name: 'due_at' }) dueAt: Date;
  @Column('text', { default: 'pending' }) status: 'pending' | 'leased' | 'done' | 'cancelled' | 'expired';
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
