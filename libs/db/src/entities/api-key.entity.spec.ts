import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../orm-config';
import { API_KEY_COLUMNS, ApiKey } from './api-key.entity';

describe('ApiKey (P3)', () => {
  it('P3: the entity maps exactly the columns API_KEY_COLUMNS documents', async () => {
    // Metadata only: discovery needs no database.
    const orm = await MikroORM.init({ ...ormConfig({ url: 'postgres://nobody@127.0.0.1:1/none' }), connect: false });
    try {
      const columns = orm.getMetadata().get(ApiKey).props.flatMap((prop) => prop.fieldNames ?? []);
      expect(columns.sort()).toEqual([...API_KEY_COLUMNS].sort());
    } finally {
      await orm.close();
    }
  });
});
