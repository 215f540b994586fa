import { Entity, EntityRepositoryType, Enum, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { InvitationRepository } from '../repositories/invitation.repository';
import { WorkspaceRole } from './membership.entity';
import { User } from './user.entity';
import { Workspace } from './workspace.entity';

/**
 * An owner's invitation of an email address to a workspace: pending until a signed-in user whose verified
 * email it is accepts it, or until it expires. One pending invitation per workspace and email.
 */
@Entity({ tableName: 'invitations', repository: () => InvitationRepository })
export class Invitation {
  [EntityRepositoryType]?: InvitationRepository;
  [OptionalProps]?: 'id' | 'createdAt' | 'acceptedAt' | 'acceptedBy';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Workspace, { ref: true, deleteRule: 'cascade' })
  workspace!: Ref<Workspace>;

  /** Trimmed and lower-cased. */
  @Property({ type: 'text' })
  email!: string;

  @Enum({ items: () => Object.values(WorkspaceRole), type: 'text' })
  role!: WorkspaceRole;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  invitedBy!: Ref<User> | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  acceptedAt: Date | null = null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  acceptedBy: Ref<User> | null = null;
}
