import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum LeadStatus {
  New = 'new',
  Retry = 'retry',
  Callback = 'callback',
  Leased = 'leased',
  Done = 'done',
  Dnc = 'dnc',
  Invalid = 'invalid',
}

@Entity('lead_lists')
export class LeadListEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('char', { name: 'default_country', length: 2, default: 'US' }) defaultCountry: string;
  /** Names of the custom fields its leads carry (for script variable checks). */
  @Column('jsonb', { name: 'custom_fields', default: [] }) customFields: string[];
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
}

@Entity('leads')
export class LeadEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('uuid', { name: 'list_id' }) listId: string;
  @Column('text') phone: string;
  @Column('text', { name: 'phone_type', nullable: true }) phoneType: string | null;
  @Column('jsonb', { name: 'alt_phones', default: [] }) altPhones: string[];
  @Column('char', { length: 2, nullable: true }) country: string | null;
  @Column('text', { name: 'first_name', nullable: true }) firstName: string | null;
  @Column('text', { name: 'last_name', nullable: true }) lastName: string | null;
  @Column('text', { name: 'postal_code', nullable: true }) postalCode: string | null;
  @Column('text', { nullable: true }) timezone: string | null;
  @Column('text', { name: 'tz_candidates', array: true, nullable: true }) tzCandidates: string[] | null;
  @Column('boolean', { name: 'tz_ambiguous', default: false }) tzAmbiguous: boolean;
  @Column('jsonb', { name: 'custom_fields', default: {} }) customFields: Record<string, unknown>;
  @Column({ type: 'enum', enum: LeadStatus, enumName: 'lead_status', default: LeadStatus.New }) status: LeadStatus;
  @Column('int', { default: 0 }) priority: number;
  @Column('int', { default: 0 }) attempts: number;
  @Column('int', { name: 'attempts_today', default: 0 }) attemptsToday: number;
  @Column('date', { name: 'attempts_day', nullable: true }) attemptsDay: string | null;
  @Column('timestamptz', { name: 'last_attempt_at', nullable: true }) lastAttemptAt: Date | null;
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true }) nextAttemptAt: Date | null;
  @Column('text', { name: 'last_outcome', nullable: true }) lastOutcome: string | null;
  @Column('text', { name: 'lease_owner', nullable: true }) leaseOwner: string | null;
  @Column('timestamptz', { name: 'lease_expires_at', nullable: true }) leaseExpiresAt: Date | null;
  @Column('text', { name: 'import_job_id', nullable: true }) importJobId: string | null;
  @Column('int', { name: 'source_line', nullable: true }) sourceLine: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
}
