import { createRequire } from 'node:module';

/**
 * The SDK's own zod schemas and error classes, for the specs. The SDK publishes them only through package
 * `exports` (`@polar-sh/sdk/models/...`), which this repo's `moduleResolution: node` cannot see at type-check time:
 * the module is loaded through `exports` (the CommonJS build) and typed from that build's declaration files.
 */
const load = createRequire(__filename);
const components = '@polar-sh/sdk/models/components';

type Schema = { safeParse(value: unknown): { success: boolean; error?: unknown } };

export const { ResponseValidationError } = load('@polar-sh/sdk/models/errors/responsevalidationerror.js') as typeof import('@polar-sh/sdk/dist/commonjs/models/errors/responsevalidationerror');
export const { ResourceNotFound } = load('@polar-sh/sdk/models/errors/resourcenotfound.js') as typeof import('@polar-sh/sdk/dist/commonjs/models/errors/resourcenotfound');
export const { HTTPValidationError } = load('@polar-sh/sdk/models/errors/httpvalidationerror.js') as typeof import('@polar-sh/sdk/dist/commonjs/models/errors/httpvalidationerror');
export const { AlreadyCanceledSubscription } = load('@polar-sh/sdk/models/errors/alreadycanceledsubscription.js') as typeof import('@polar-sh/sdk/dist/commonjs/models/errors/alreadycanceledsubscription');
export const { SDKError } = load('@polar-sh/sdk/models/errors/sdkerror.js') as typeof import('@polar-sh/sdk/dist/commonjs/models/errors/sdkerror');

/** Every webhook type the stand-in sends, with the SDK's schema for its payload. */
export const webhookPayloadSchemas: Record<string, Schema> = {
  'customer.created': (load(`${components}/webhookcustomercreatedpayload.js`) as typeof import('@polar-sh/sdk/dist/commonjs/models/components/webhookcustomercreatedpayload')).WebhookCustomerCreatedPayload$inboundSchema,
  'customer.deleted': (load(`${components}/webhookcustomerdeletedpayload.js`) as typeof import('@polar-sh/sdk/dist/commonjs/models/components/webhookcustomerdeletedpayload')).WebhookCustomerDeletedPayload$inboundSchema,
  'customer.state_changed': (load(`${components}/webhookcustomerstatechangedpayload.js`) as typeof import('@polar-sh/sdk/dist/commonjs/models/components/webhookcustomerstatechangedpayload')).WebhookCustomerStateChangedPayload$inboundSchema,
  'subscription.created': (load(`${components}/webhooksubscriptioncreatedpayload.js`) as typeof import('@polar-sh/sdk/dist/commonjs/models/components/webhooksubscriptioncreatedpayload')).WebhookSubscriptionCreatedPayload$inboundSchema,
  'subscription.active': (load(`${components}/webhooksubscriptionactivepayload.js`) as typeof import('@polar-sh/sdk/dist/commonjs/models/components/webhooksubscriptionactivepayload')).WebhookSubscriptionActivePayload$inboundSchema,
  'subscription.updated': (load(`${components}/webhooksubscriptionupdatedpayload.js`) as typeof import('@polar-sh/sdk/dist/commonjs/models/components/webhooksubscriptionupdatedpayload')).WebhookSubscriptionUpdatedPayload$inboundSchema,
  'subscription.canceled': (load(`${components}/webhooksubscriptioncanceledpayload.js`) as typeof import('@polar-sh/sdk/dist/commonjs/models/components/webhooksubscriptioncanceledpayload')).WebhookSubscriptionCanceledPayload$inboundSchema,
  'subscription.revoked': (load(`${components}/webhooksubscriptionrevokedpayload.js`) as typeof import('@polar-sh/sdk/dist/commonjs/models/components/webhooksubscriptionrevokedpayload')).WebhookSubscriptionRevokedPayload$inboundSchema,
  'order.created': (load(`${components}/webhookordercreatedpayload.js`) as typeof import('@polar-sh/sdk/dist/commonjs/models/components/webhookordercreatedpayload')).WebhookOrderCreatedPayload$inboundSchema,
  'order.updated': (load(`${components}/webhookorderupdatedpayload.js`) as typeof import('@polar-sh/sdk/dist/commonjs/models/components/webhookorderupdatedpayload')).WebhookOrderUpdatedPayload$inboundSchema,
  'order.paid': (load(`${components}/webhookorderpaidpayload.js`) as typeof import('@polar-sh/sdk/dist/commonjs/models/components/webhookorderpaidpayload')).WebhookOrderPaidPayload$inboundSchema,
};
