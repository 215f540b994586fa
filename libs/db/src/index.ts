export * from './database';
export * from './entities/api-key.entity';
export * from './entities/membership.entity';
export * from './entities/user.entity';
export * from './entities/workspace.entity';
export * from './orm-config';
export * from './repositories/api-key.repository';
export * from './repositories/user.repository';
