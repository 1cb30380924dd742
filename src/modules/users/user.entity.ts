import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum Role {
  Admin = 'admin',
  Manager = 'manager',
  Agent = 'agent',
  Compliance = 'compliance',
}
export const ALL_ROLES = Object.values(Role);

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') email: string;
  @Column('text', { name: 'display_name' }) displayName: string;
  @Column('text', { name: 'password_hash', select: false }) passwordHash: string;
  @Column({ type: 'enum', enum: Role, enumName: 'user_role' }) role: Role;
  @Column('boolean', { default: true }) active: boolean;
  @Column('text', { name: 'sip_uri', nullable: true }) sipUri: string | null;
  @Column('text', { name: 'sip_username', nullable: true }) sipUsername: string | null;
  @Column('text', { name: 'sip_password', nullable: true, select: false }) sipPassword: string | null;
  @Column('text', { default: 'en' }) locale: string;
  /** Tokens issued (iat) before this second are refused: set when the password changes. */
  @Column('timestamptz', { name: 'sessions_valid_after', nullable: true, select: false }) sessionsValidAfter: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
