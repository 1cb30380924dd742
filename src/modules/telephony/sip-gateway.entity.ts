import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('sip_gateways')
export class SipGatewayEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text') host: string;
  @Column('int', { default: 5060 }) port: number;
  @Column('text', { default: 'udp' }) transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
  @Column('text', { nullable: true }) username: string | null;
  @Column('text', { nullable: true, select: false }) password: string | null;
  @Column('text', { name: 'number_format', default: 'e164' }) numberFormat: 'e164' | 'national' | 'e164_no_plus';
  @Column('text', { default: '' }) prefix: string;
  @Column('jsonb', { name: 'caller_id_rules', default: {} }) callerIdRules: Record<string, unknown>;
  @Column('int', { name: 'cps_limit', default: 10 }) cpsLimit: number;
  @Column('int', { name: 'channel_limit', default: 100 }) channelLimit: number;
  @Column('boolean', { default: true }) active: boolean;
  /** Edit version (optimistic concurrency): +1 on every edit a user makes; see src/common/http/edit-version.ts. */
  @Column('int', { default: 1 }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
