import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { User } from '@nomosly/db';
import { AccountsError, AccountsErrorCode } from './accounts-error';
import { ensurePersonalWorkspace, normalizeEmail } from './provisioning';
import { type UserView, toUserView } from './views';

/** Who the identity provider says signed in. */
export interface SignInIdentity {
  /** The provider's `sub`: the stable link between a sign-in and a user. */
  subject: string;
  email: string;
  /** The provider says the email is verified: only then does it link to, or claim, anything. */
  emailVerified: boolean;
  name: string | null;
}

/**
 * Turns a verified sign-in into a user. The subject is the identity; the email is the provider's, refreshed at
 * each sign-in. A first sign-in links a user the admin CLI made for the email only when the email is verified;
 * otherwise it makes a user of its own (with a personal workspace), which inherits nothing.
 */
export class IdentityService {
  constructor(private readonly em: EntityManager) {}

  async signIn(identity: SignInIdentity): Promise<UserView> {
    try {
      return await this.linkOrCreate(identity);
    } catch (error) {
      // Two first requests of one new user raced (one subject, one personal workspace); the loser finds what the winner made.
      if (error instanceof UniqueConstraintViolationException) return this.linkOrCreate(identity);
      throw error;
    }
  }

  private linkOrCreate(identity: SignInIdentity): Promise<UserView> {
    const email = normalizeEmail(identity.email);
    return this.em.fork().transactional(async (tx) => {
      const users = tx.getRepository(User);
      const linked = await users.findBySubject(identity.subject);
      if (linked) {
        // The bearer guard signs in on every console request: when nothing changed, nothing more is read or written.
        if (linked.email === email && linked.emailVerified === identity.emailVerified) return toUserView(linked);
        await this.requireEmailFree(tx, identity.subject, email, identity.emailVerified);
        linked.email = email;
        linked.emailVerified = identity.emailVerified;
        await tx.flush();
        return toUserView(linked);
      }
      // Not linked yet: only a verified email claims the user the admin CLI made for it before they signed in.
      const claimed = identity.emailVerified ? await this.claimable(tx, identity.subject, email) : null;
      if (claimed?.providerSubject === identity.subject) return toUserView(claimed);
      const user = claimed ?? tx.create(User, { email });
      user.providerSubject = identity.subject;
      user.emailVerified = identity.emailVerified;
      if (user.name === null && identity.name) user.name = identity.name;
      await ensurePersonalWorkspace(tx, user, { isNewUser: claimed === null });
      await tx.flush();
      return toUserView(user);
    });
  }

  /**
   * The user the admin CLI made for this verified email, never signed in; or the user a concurrent first request of
   * this same subject has just linked. IdentityConflict when a person who signs in differently has this email.
   */
  private async claimable(tx: EntityManager, subject: string, email: string): Promise<User | null> {
    const holder = await this.requireEmailFree(tx, subject, email, true);
    return holder ?? tx.getRepository(User).findUnclaimedByEmail(email);
  }

  /** The user whose verified email this is, when that is this subject; IdentityConflict when it is another. */
  private async requireEmailFree(tx: EntityManager, subject: string, email: string, verified: boolean): Promise<User | null> {
    if (!verified) return null;
    const holder = await tx.getRepository(User).findByVerifiedEmail(email);
    if (holder && holder.providerSubject !== subject) {
      throw new AccountsError(AccountsErrorCode.IdentityConflict, 'This email already belongs to an account that signs in differently.');
    }
    return holder;
  }
}
