import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Membership, User } from '@nomosly/db';
import { invalid, notFound } from './accounts-error';
import { normalizeEmail } from './provisioning';
import { type UserView, type WorkspaceMembershipView, toUserView } from './views';

export interface Profile {
  user: UserView;
  workspaces: WorkspaceMembershipView[];
}

export interface ProfileChanges {
  name?: string;
  email?: string;
  marketingOptIn?: boolean;
}

/** The signed-in user's own record: read it, correct it, choose marketing email (off unless they opt in). */
export class ProfileService {
  constructor(private readonly em: EntityManager) {}

  async get(userId: string): Promise<Profile> {
    const em = this.em.fork();
    const user = await em.findOne(User, { id: userId });
    if (!user) throw notFound('user');
    const memberships = await em.getRepository(Membership).findWorkspacesOf(userId);
    return {
      user: toUserView(user),
      workspaces: memberships.map((membership) => {
        const workspace = membership.workspace.getEntity();
        return { id: workspace.id, name: workspace.name, role: membership.role };
      }),
    };
  }

  async update(userId: string, changes: ProfileChanges): Promise<Profile> {
    const em = this.em.fork();
    const user = await em.findOne(User, { id: userId });
    if (!user) throw notFound('user');
    if (changes.name !== undefined) user.name = changes.name.trim();
    if (changes.email !== undefined) user.email = normalizeEmail(changes.email);
    if (changes.marketingOptIn !== undefined) user.marketingOptIn = changes.marketingOptIn;
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw invalid('That email address belongs to another account.');
      throw error;
    }
    return this.get(userId);
  }
}
