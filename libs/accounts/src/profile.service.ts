import type { EntityManager } from '@mikro-orm/postgresql';
import { Membership, User } from '@nomosly/db';
import { notFound } from './accounts-error';
import { type UserView, type WorkspaceMembershipView, toUserView } from './views';

export interface Profile {
  user: UserView;
  workspaces: WorkspaceMembershipView[];
}

/** The email is not among them: it is the identity provider's verified email, refreshed at each sign-in. */
export interface ProfileChanges {
  name?: string;
  marketingOptIn?: boolean;
}

/** The signed-in user's own record: read it, correct their name, choose marketing email (off unless they opt in). */
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
    if (changes.marketingOptIn !== undefined) user.marketingOptIn = changes.marketingOptIn;
    await em.flush();
    return this.get(userId);
  }
}
