import { Entity, EntityRepositoryType, Enum, ManyToOne, OptionalProps, PrimaryKeyProp, Property, type Ref } from '@mikro-orm/core';
import { MembershipRepository } from '../repositories/membership.repository';
import { User } from './user.entity';
import { Workspace } from './workspace.entity';

export const WorkspaceRole = Object.freeze({ Owner: 'owner', Member: 'member' } as const);
export type WorkspaceRole = (typeof WorkspaceRole)[keyof typeof WorkspaceRole];

@Entity({ tableName: 'memberships', repository: () => MembershipRepository })
export class Membership {
  [EntityRepositoryType]?: MembershipRepository;
  [PrimaryKeyProp]?: ['workspace', 'user'];
  [OptionalProps]?: 'createdAt';

  @ManyToOne(() => Workspace, { primary: true, ref: true, deleteRule: 'cascade' })
  workspace!: Ref<Workspace>;

  @ManyToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => Object.values(WorkspaceRole), type: 'text' })
  role!: WorkspaceRole;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
