export * from './billing-customers';
export * from './polar-client';
export * from './polar-config';
export * from './polar-errors';
export * from './polar.providers';
