import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AgentState = 'logged_out' | 'ready' | 'reserved' | 'on_call' | 'on_hold' | 'wrap_up' | 'paused';

/** Append-only: reports are built from these events, never from guesses. */
@Entity('agent_state_events')
export class AgentStateEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('uuid', { name: 'agent_id' }) agentId: string;
  @Column('uuid', { name: 'campaign_id', nullable: true }) campaignId: string | null;
  @Column('text') state: AgentState;
  @Column('text', { nullable: true }) reason: string | null;
  @Column('uuid', { name: 'call_id', nullable: true }) callId: string | null;
  @Column('timestamptz', { default: () => 'now()' }) at: Date;
}
