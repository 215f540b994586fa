import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { ApiKeyService, IdentityService, ProfileService } from '@nomosly/accounts';
import { ormConfig } from '@nomosly/db';
import { TEST_DATABASE_URL, runCli } from '@nomosly/testing';

describe('cli keys list', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await MikroORM.init(ormConfig({ url: TEST_DATABASE_URL, poolSize: 2 }));
  });
  afterAll(() => orm?.close(true));

  const env = { DATABASE_URL: TEST_DATABASE_URL };
  const listed = (email: string) => {
    const result = runCli(['keys', 'list', '--email', email], env);
    expect(result.status).toBe(0);
    return result.stdout.trim().split('\n').map((line) => line.split(/\s+/).at(-1));
  };

  /** Someone signing in with `email`, with a key of their own named `keyName` in their personal workspace. */
  async function signsInWithAKey(email: string, emailVerified: boolean, keyName: string): Promise<void> {
    const user = await new IdentityService(orm.em).signIn({ subject: `sub-${randomUUID()}`, email, emailVerified, name: null });
    const { workspaces } = await new ProfileService(orm.em).get(user.id);
    await new ApiKeyService(orm.em).create(workspaces[0].id, user.id, { name: keyName });
  }

  it('lists only the keys of the verified holder of the email, or else of the never-signed-in user: never those of accounts that merely share it', async () => {
    const email = `list-${randomUUID().slice(0, 8)}@cli.test`;
    expect(runCli(['keys', 'create', '--email', email, '--name', 'cli-made'], env).status).toBe(0);
    await signsInWithAKey(email, false, 'unverified-1');
    expect(listed(email.toUpperCase())).toEqual(['cli-made']);

    // The verified holder claims the user the CLI made; a second unverified account with the address changes nothing.
    await signsInWithAKey(email, true, 'verified');
    await signsInWithAKey(email, false, 'unverified-2');
    expect(listed(` ${email} `)).toEqual(['cli-made', 'verified']);

    // Nobody holds an address only unverified accounts use.
    const unverifiedOnly = `list-unverified-${randomUUID().slice(0, 8)}@cli.test`;
    await signsInWithAKey(unverifiedOnly, false, 'nobody-s');
    expect(listed(unverifiedOnly)).toEqual(['keys']);
  });
});
