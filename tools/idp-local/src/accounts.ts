import { createHash } from 'node:crypto';

export interface LocalAccount {
  sub: string;
  email: string;
  name?: string;
}

/** The same email always gets the same subject, across restarts and across stand-ins. */
export function subjectFor(email: string): string {
  return `local|${createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 24)}`;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The people who signed in since the stand-in started: there are no passwords and no sign-up, an email is
 * an account. Kept in memory like the rest of the stand-in's state; tokens carry their own claims, so they
 * stay valid after a restart.
 */
export class LocalAccounts {
  private readonly bySubject = new Map<string, LocalAccount>();

  /** Records a sign-in; a name given once is kept when later sign-ins leave it out. */
  signIn(email: string, name?: string): LocalAccount {
    const sub = subjectFor(email);
    const known = this.bySubject.get(sub);
    const account: LocalAccount = { sub, email: normalizeEmail(email), name: name?.trim() || known?.name };
    this.bySubject.set(sub, account);
    return account;
  }

  find(sub: string): LocalAccount | undefined {
    return this.bySubject.get(sub);
  }
}
