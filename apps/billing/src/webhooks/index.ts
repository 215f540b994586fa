export * from './polar-webhooks.controller';
export * from './polar-webhooks.service';
export * from './raw-body';
