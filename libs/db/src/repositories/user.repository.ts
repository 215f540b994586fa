import { EntityRepository } from '@mikro-orm/postgresql';
import type { User } from '../entities/user.entity';

/** Emails given here are already normalised (trimmed, lower-cased). */
export class UserRepository extends EntityRepository<User> {
  /** The user whose verified email this is: at most one (a unique index). */
  findByVerifiedEmail(email: string): Promise<User | null> {
    return this.findOne({ email, emailVerified: true });
  }

  /** The user made for this email by the admin CLI who has never signed in: at most one (a unique index). */
  findUnclaimedByEmail(email: string): Promise<User | null> {
    return this.findOne({ email, providerSubject: null });
  }

  /** Whether anyone who signs in (verified or not) goes by this email. */
  async anySignsInWithEmail(email: string): Promise<boolean> {
    return (await this.count({ email, providerSubject: { $ne: null } })) > 0;
  }

  /** The user linked to this identity provider subject (`sub`). */
  findBySubject(subject: string): Promise<User | null> {
    return this.findOne({ providerSubject: subject });
  }
}
