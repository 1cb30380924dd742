import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum ImportStatus {
  Queued = 'queued',
  Running = 'running',
  Completed = 'completed',
  Failed = 'failed',
  Cancelled = 'cancelled',
}
export enum DuplicatePolicy {
  Skip = 'skip',
  Update = 'update',
}

/** Which CSV column (by header name) feeds which lead field. */
export interface ColumnMapping {
  phone: string;
  altPhones?: string[];
  firstName?: string;
  lastName?: string;
  postalCode?: string;
  timezone?: string;
  /** lead custom field name -> CSV column */
  custom?: Record<string, string>;
}

@Entity('lead_imports')
export class LeadImportEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'list_id', nullable: true }) listId: string | null;
  @Column('text', { name: 'new_list_name', nullable: true }) newListName: string | null;
  @Column('text', { default: ImportStatus.Queued }) status: ImportStatus;
  @Column('boolean', { name: 'cancel_requested', default: false }) cancelRequested: boolean;
  @Column('text', { name: 'file_path' }) filePath: string;
  @Column('text', { name: 'file_name', nullable: true }) fileName: string | null;
  @Column('bigint', { name: 'file_size', default: 0 }) fileSize: string;
  @Column('text') delimiter: string;
  @Column('char', { name: 'default_country', length: 2 }) defaultCountry: string;
  @Column('jsonb') mapping: ColumnMapping;
  @Column('text', { name: 'duplicate_policy', default: DuplicatePolicy.Skip }) duplicatePolicy: DuplicatePolicy;
  @Column('uuid', { name: 'dedupe_campaign_id', nullable: true }) dedupeCampaignId: string | null;
  @Column('int', { name: 'rows_read', default: 0 }) rowsRead: number;
  /** Bytes of the file the running import has read so far, of bytesTotal (the file's size): the percentage. */
  @Column('bigint', { name: 'bytes_read', default: 0 }) bytesRead: string;
  @Column('bigint', { name: 'bytes_total', default: 0 }) bytesTotal: string;
  @Column('int', { default: 0 }) inserted: number;
  @Column('int', { default: 0 }) updated: number;
  @Column('int', { default: 0 }) rejected: number;
  @Column('int', { default: 0 }) duplicates: number;
  @Column('text', { nullable: true }) error: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt: Date | null;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('lead_import_errors')
export class LeadImportErrorEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('uuid', { name: 'import_id' }) importId: string;
  @Column('int') line: number;
  @Column('text', { name: 'column_name', nullable: true }) columnName: string | null;
  @Column('text') reason: string;
  @Column('text') action: 'rejected' | 'duplicate' | 'ignored_value';
}
