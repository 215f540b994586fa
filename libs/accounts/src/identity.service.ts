import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { User } from '@nomosly/db';
import { AccountsError, AccountsErrorCode } from './accounts-error';
import { ensurePersonalWorkspace, findOrCreateUser } from './provisioning';
import { type UserView, toUserView } from './views';

/** Who the identity provider says signed in. */
export interface SignInIdentity {
  /** The provider's `sub`: the stable link between a sign-in and a user. */
  subject: string;
  email: string;
  name: string | null;
}

/** Turns a verified sign-in into a user: links the provider's subject at first sign-in and provisions a personal workspace. */
export class IdentityService {
  constructor(private readonly em: EntityManager) {}

  async signIn(identity: SignInIdentity): Promise<UserView> {
    try {
      return await this.linkOrCreate(identity);
    } catch (error) {
      // Two first requests of one new user raced; the loser finds what the winner created.
      if (error instanceof UniqueConstraintViolationException) return this.linkOrCreate(identity);
      throw error;
    }
  }

  private linkOrCreate(identity: SignInIdentity): Promise<UserView> {
    return this.em.fork().transactional(async (tx) => {
      const linked = await tx.getRepository(User).findBySubject(identity.subject);
      if (linked) return toUserView(linked);
      // Not linked yet: a user invited (or given a key by the CLI) under this email is this person.
      const { user, created } = await findOrCreateUser(tx, identity.email);
      if (user.providerSubject !== null) {
        throw new AccountsError(AccountsErrorCode.IdentityConflict, 'This email already belongs to an account that signs in differently.');
      }
      user.providerSubject = identity.subject;
      if (user.name === null && identity.name) user.name = identity.name;
      await ensurePersonalWorkspace(tx, user, { isNewUser: created });
      await tx.flush();
      return toUserView(user);
    });
  }
}
