import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('scripts')
export class ScriptEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('int', { name: 'current_version', default: 0 }) currentVersion: number;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  /** Edit version (optimistic concurrency): +1 on a rename and on every new sections version (currentVersion). */
  @Column('int', { default: 1 }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export interface ScriptSection {
  key: string;
  title: string;
  template: string;
  branches?: { label: string; goto: string }[];
}

/** Immutable once written (database trigger); a call records the exact version its agent saw. */
@Entity('script_versions')
export class ScriptVersionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'script_id' }) scriptId: string;
  @Column('int') version: number;
  @Column('jsonb') sections: ScriptSection[];
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('objections')
export class ObjectionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'campaign_id' }) campaignId: string;
  @Column('text') category: string;
  @Column('text') label: string;
  @Column('text', { name: 'rebuttal_template' }) rebuttalTemplate: string;
  @Column('int', { name: 'sort_order', default: 0 }) sortOrder: number;
  @Column('boolean', { default: true }) active: boolean;
  /** Edit version (optimistic concurrency): +1 on every edit, delete (deactivation) and restore. */
  @Column('int', { default: 1 }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
