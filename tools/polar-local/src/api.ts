import { randomBytes } from 'node:crypto';
import { type Commerce, deleteCustomer, revokeSubscription } from './commerce';
import { PolarHttpError, invalid, notFound } from './http';
import { newId } from './ids';
import { ingestEvents } from './ingest';
import type { CheckoutRecord, CustomerRecord, Metadata } from './state';
import {
  checkoutJson,
  customerJson,
  customerMeterJson,
  customerSessionJson,
  customerStateJson,
  meterJson,
  orderJson,
  productJson,
  subscriptionJson,
  userEventJson,
} from './wire';

export interface ApiRequest {
  method: string;
  url: URL;
  params: string[];
  body: () => Record<string, unknown>;
}

export interface ApiAnswer {
  status: number;
  /** undefined: an empty body (204). */
  body?: unknown;
}

export interface ApiContext extends Commerce {
  baseUrl: string;
}

type Handler = (context: ApiContext, request: ApiRequest) => ApiAnswer;

const MAX_LIMIT = 100;
const CHECKOUT_LIFETIME_MS = 60 * 60 * 1000;
const SESSION_LIFETIME_MS = 60 * 60 * 1000;
const ID = '([^/]+)';

/** Every Polar route the billing app calls, matched without a trailing slash (Polar's collections carry one). */
const routes: Array<[method: string, path: RegExp, handler: Handler]> = [
  ['POST', /^\/v1\/events\/ingest$/, (c, r) => ({ status: 200, body: ingestEvents(c.state, r.body(), c.now()) })],
  ['GET', /^\/v1\/events$/, listEvents],
  ['POST', /^\/v1\/customers$/, createCustomer],
  ['GET', new RegExp(`^/v1/customers/external/${ID}$`), (c, r) => ({ status: 200, body: customerJson(externalCustomer(c, r.params[0])) })],
  ['DELETE', new RegExp(`^/v1/customers/external/${ID}$`), removeCustomer],
  ['GET', new RegExp(`^/v1/customers/external/${ID}/state$`), (c, r) => ({ status: 200, body: customerStateJson(c.state, externalCustomer(c, r.params[0])) })],
  ['GET', /^\/v1\/meters$/, (c, r) => page(r, [meterJson(c.state)])],
  ['GET', new RegExp(`^/v1/meters/${ID}/quantities$`), meterQuantities],
  ['GET', /^\/v1\/customer-meters$/, listCustomerMeters],
  ['GET', /^\/v1\/subscriptions$/, listSubscriptions],
  ['GET', new RegExp(`^/v1/subscriptions/${ID}$`), (c, r) => ({ status: 200, body: subscriptionJson(c.state, subscription(c, r.params[0])) })],
  ['DELETE', new RegExp(`^/v1/subscriptions/${ID}$`), (c, r) => ({ status: 200, body: subscriptionJson(c.state, revokeSubscription(c, subscription(c, r.params[0]))) })],
  ['GET', /^\/v1\/orders$/, listOrders],
  ['GET', new RegExp(`^/v1/orders/${ID}$`), (c, r) => ({ status: 200, body: orderJson(c.state, order(c, r.params[0])) })],
  ['POST', new RegExp(`^/v1/orders/${ID}/invoice$`), generateInvoice],
  ['GET', new RegExp(`^/v1/orders/${ID}/invoice$`), getInvoice],
  ['POST', /^\/v1\/checkouts$/, createCheckout],
  ['POST', /^\/v1\/customer-sessions$/, createCustomerSession],
  ['GET', /^\/v1\/products$/, (c, r) => page(r, [...c.state.products.values()], (p) => productJson(c.state, p))],
];

/** The route's answer, or undefined when no route has that path (the caller answers 404 or 405). */
export function routeApi(context: ApiContext, method: string, url: URL, body: () => Record<string, unknown>): ApiAnswer | undefined {
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  let pathMatched = false;
  for (const [routeMethod, pattern, handler] of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (routeMethod === method) return handler(context, { method, url, params: match.slice(1).map(decodeURIComponent), body });
  }
  if (pathMatched) throw new PolarHttpError(405, { detail: 'Method Not Allowed' });
  return undefined;
}

function externalCustomer(context: ApiContext, externalId: string): CustomerRecord {
  const customer = context.state.customerByExternalId(externalId);
  if (!customer) throw notFound('Customer not found');
  return customer;
}

function subscription(context: ApiContext, id: string) {
  const found = context.state.subscriptions.get(id);
  if (!found) throw notFound('Subscription not found');
  return found;
}

function order(context: ApiContext, id: string) {
  const found = context.state.orders.get(id);
  if (!found) throw notFound('Order not found');
  return found;
}

function positiveInt(url: URL, name: string, fallback: number, max?: number): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw invalid(['query', name], 'Input should be greater than 0', text, 'greater_than');
  if (max !== undefined && value > max) throw invalid(['query', name], `Input should be less than or equal to ${max}`, text, 'less_than_equal');
  return value;
}

/** Polar's page of a list: `{items, pagination: {total_count, max_page}}`, page 1 and 10 items unless asked. */
function page<T>(request: ApiRequest, all: T[], toJson: (record: T) => unknown = (record) => record): ApiAnswer {
  const number = positiveInt(request.url, 'page', 1);
  const limit = positiveInt(request.url, 'limit', 10, MAX_LIMIT);
  const items = all.slice((number - 1) * limit, number * limit).map(toJson);
  return { status: 200, body: { items, pagination: { total_count: all.length, max_page: Math.ceil(all.length / limit) } } };
}

/** The customers a list is filtered to by `customer_id` / `external_customer_id`, or null when neither is given. */
function customerFilter(context: ApiContext, url: URL): Set<string> | null {
  const ids = url.searchParams.getAll('customer_id');
  const externalIds = url.searchParams.getAll('external_customer_id');
  if (ids.length === 0 && externalIds.length === 0) return null;
  const wanted = new Set(ids);
  for (const customer of context.state.customers.values()) {
    if (customer.externalId !== null && externalIds.includes(customer.externalId)) wanted.add(customer.id);
  }
  return wanted;
}

const newestFirst = <T extends { createdAt: Date }>(a: T, b: T) => b.createdAt.getTime() - a.createdAt.getTime();

function listEvents(context: ApiContext, request: ApiRequest): ApiAnswer {
  const { url } = request;
  const customers = customerFilter(context, url);
  const externalIds = url.searchParams.getAll('external_customer_id');
  const names = url.searchParams.getAll('name');
  const start = optionalDate(url, 'start_timestamp');
  const end = optionalDate(url, 'end_timestamp');
  const events = context.state.events.filter(
    (event) =>
      (customers === null ||
        (event.customerId !== null && customers.has(event.customerId)) ||
        (event.externalCustomerId !== null && externalIds.includes(event.externalCustomerId))) &&
      (names.length === 0 || names.includes(event.name)) &&
      (!start || event.timestamp >= start) &&
      (!end || event.timestamp <= end),
  );
  events.sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime());
  return page(request, events, (event) => userEventJson(context.state, event));
}

function optionalDate(url: URL, name: string): Date | null {
  const text = url.searchParams.get(name);
  if (text === null) return null;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw invalid(['query', name], 'Input should be a valid datetime', text, 'datetime_parsing');
  return date;
}

function requiredDate(url: URL, name: string): Date {
  const date = optionalDate(url, name);
  if (!date) throw invalid(['query', name], 'Field required', null, 'missing');
  return date;
}

function createCustomer(context: ApiContext, request: ApiRequest): ApiAnswer {
  const body = request.body();
  const { state } = context;
  const email = body.email;
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    throw invalid(['body', 'email'], 'value is not a valid email address', email, email === undefined ? 'missing' : 'value_error');
  }
  const externalId = typeof body.external_id === 'string' && body.external_id !== '' ? body.external_id : null;
  if (state.customerByEmail(email)) throw invalid(['body', 'email'], 'A customer with this email address already exists.', email);
  if (externalId !== null && state.customerByExternalId(externalId)) {
    throw invalid(['body', 'external_id'], 'A customer with this external ID already exists.', externalId);
  }
  const now = context.now();
  const customer = state.createCustomer(
    { email, externalId, name: typeof body.name === 'string' ? body.name : null, metadata: metadataOf(body.metadata) },
    now,
  );
  context.webhooks.send('customer.created', customerJson(customer), now);
  return { status: 201, body: customerJson(customer) };
}

function metadataOf(value: unknown): Metadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))) as Metadata;
}

function removeCustomer(context: ApiContext, request: ApiRequest): ApiAnswer {
  const customer = externalCustomer(context, request.params[0]);
  deleteCustomer(context, customer, request.url.searchParams.get('anonymize') === 'true');
  return { status: 204 };
}

const INTERVALS = ['hour', 'day', 'week', 'month', 'year'] as const;
type Interval = (typeof INTERVALS)[number];
const MAX_BUCKETS = 10_000;

/** `GET /v1/meters/{id}/quantities`: the meter's units per interval, bucketed (in UTC) by each event's `timestamp`. */
function meterQuantities(context: ApiContext, request: ApiRequest): ApiAnswer {
  const { state } = context;
  if (request.params[0] !== state.meter.id) throw notFound('Meter not found');
  const { url } = request;
  const start = requiredDate(url, 'start_timestamp');
  const end = requiredDate(url, 'end_timestamp');
  const interval = url.searchParams.get('interval') as Interval | null;
  if (!interval || !INTERVALS.includes(interval)) throw invalid(['query', 'interval'], `Input should be ${INTERVALS.join(', ')}`, interval, 'enum');
  const customers = customerFilter(context, url);
  const externalIds = url.searchParams.getAll('external_customer_id');
  const buckets: Date[] = [];
  for (let at = truncate(start, interval); at <= end; at = advance(at, interval)) {
    buckets.push(at);
    if (buckets.length > MAX_BUCKETS) throw invalid(['query', 'interval'], 'Too many intervals for this time range', interval);
  }
  const quantities = buckets.map((bucket) => ({ timestamp: bucket.toISOString(), quantity: 0 }));
  let total = 0;
  for (const event of state.events) {
    if (event.timestamp < start || event.timestamp > end) continue;
    if (customers !== null && !((event.customerId !== null && customers.has(event.customerId)) || (event.externalCustomerId !== null && externalIds.includes(event.externalCustomerId)))) continue;
    const units = state.meterUnitsOf(event);
    if (units === 0) continue;
    let index = buckets.length - 1;
    while (index > 0 && buckets[index] > event.timestamp) index -= 1;
    quantities[index].quantity += units;
    total += units;
  }
  return { status: 200, body: { quantities, total } };
}

function truncate(date: Date, interval: Interval): Date {
  const d = new Date(date);
  d.setUTCMinutes(0, 0, 0);
  if (interval === 'hour') return d;
  d.setUTCHours(0);
  if (interval === 'day') return d;
  if (interval === 'week') {
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    return d;
  }
  d.setUTCDate(1);
  if (interval === 'month') return d;
  d.setUTCMonth(0);
  return d;
}

function advance(date: Date, interval: Interval): Date {
  const d = new Date(date);
  if (interval === 'hour') d.setUTCHours(d.getUTCHours() + 1);
  else if (interval === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else if (interval === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d;
}

function listCustomerMeters(context: ApiContext, request: ApiRequest): ApiAnswer {
  const { state } = context;
  const customers = customerFilter(context, request.url);
  const meterIds = request.url.searchParams.getAll('meter_id');
  const meters = [...state.customers.values()]
    .filter((customer) => customer.deletedAt === null && (customers === null || customers.has(customer.id)))
    .filter(() => meterIds.length === 0 || meterIds.includes(state.meter.id))
    .sort(newestFirst);
  return page(request, meters, (customer) => customerMeterJson(state, customer));
}

function listSubscriptions(context: ApiContext, request: ApiRequest): ApiAnswer {
  const { state } = context;
  const customers = customerFilter(context, request.url);
  const active = request.url.searchParams.get('active');
  const productIds = request.url.searchParams.getAll('product_id');
  const subscriptions = [...state.subscriptions.values()]
    .filter((s) => customers === null || customers.has(s.customerId))
    .filter((s) => active === null || (active === 'true') === (s.status === 'active'))
    .filter((s) => productIds.length === 0 || productIds.includes(s.productId))
    .sort(newestFirst);
  return page(request, subscriptions, (s) => subscriptionJson(state, s));
}

function listOrders(context: ApiContext, request: ApiRequest): ApiAnswer {
  const { state } = context;
  const customers = customerFilter(context, request.url);
  const productIds = request.url.searchParams.getAll('product_id');
  const orders = [...state.orders.values()]
    .filter((o) => customers === null || customers.has(o.customerId))
    .filter((o) => productIds.length === 0 || productIds.includes(o.productId))
    .sort(newestFirst);
  return page(request, orders, (o) => orderJson(state, o));
}

function generateInvoice(context: ApiContext, request: ApiRequest): ApiAnswer {
  const found = order(context, request.params[0]);
  if (found.status !== 'paid') throw new PolarHttpError(409, { error: 'OrderNotEligibleForInvoice', detail: 'Order is not paid.' });
  found.isInvoiceGenerated = true;
  found.modifiedAt = context.now();
  return { status: 202, body: {} };
}

/** As on Polar, the invoice exists once generated (`POST .../invoice`); before that it is not found. */
function getInvoice(context: ApiContext, request: ApiRequest): ApiAnswer {
  const found = order(context, request.params[0]);
  if (!found.isInvoiceGenerated) throw notFound('Invoice not generated yet');
  return { status: 200, body: { url: `${context.baseUrl}/invoices/${found.id}.pdf` } };
}

function createCheckout(context: ApiContext, request: ApiRequest): ApiAnswer {
  const body = request.body();
  const { state } = context;
  const products = Array.isArray(body.products) ? body.products : typeof body.product_id === 'string' ? [body.product_id] : undefined;
  if (!products || products.length === 0) throw invalid(['body', 'products'], 'Field required', body.products, 'missing');
  products.forEach((id, index) => {
    if (typeof id !== 'string' || !state.products.has(id)) throw invalid(['body', 'products', index], 'Product does not exist.', id);
  });
  const text = (name: string): string | null => (typeof body[name] === 'string' && body[name] !== '' ? (body[name] as string) : null);
  let externalCustomerId = text('external_customer_id');
  const customerId = text('customer_id');
  if (customerId !== null) {
    const customer = state.customers.get(customerId);
    if (!customer || customer.deletedAt) throw invalid(['body', 'customer_id'], 'Customer does not exist.', customerId);
    externalCustomerId = customer.externalId;
  }
  const existing = externalCustomerId !== null ? state.customerByExternalId(externalCustomerId) : undefined;
  const now = context.now();
  const checkout: CheckoutRecord = {
    id: newId(),
    clientSecret: `polar_c_${randomBytes(24).toString('base64url')}`,
    productId: products[0] as string,
    externalCustomerId,
    customerEmail: text('customer_email') ?? existing?.email ?? null,
    customerName: text('customer_name') ?? existing?.name ?? null,
    successUrl: text('success_url'),
    returnUrl: text('return_url'),
    metadata: metadataOf(body.metadata),
    status: 'open',
    customerId: customerId ?? existing?.id ?? null,
    subscriptionId: null,
    createdAt: now,
    modifiedAt: null,
    expiresAt: new Date(now.getTime() + CHECKOUT_LIFETIME_MS),
  };
  state.checkouts.set(checkout.id, checkout);
  return { status: 201, body: checkoutJson(state, checkout, context.baseUrl) };
}

function createCustomerSession(context: ApiContext, request: ApiRequest): ApiAnswer {
  const body = request.body();
  const { state } = context;
  let customer: CustomerRecord | undefined;
  if (typeof body.customer_id === 'string') {
    customer = state.customers.get(body.customer_id);
    if (!customer || customer.deletedAt) throw invalid(['body', 'customer_id'], 'Customer does not exist.', body.customer_id);
  } else if (typeof body.external_customer_id === 'string') {
    customer = state.customerByExternalId(body.external_customer_id);
    if (!customer) throw invalid(['body', 'external_customer_id'], 'Customer does not exist.', body.external_customer_id);
  } else {
    throw invalid(['body', 'external_customer_id'], 'Field required', null, 'missing');
  }
  const now = context.now();
  const session = {
    id: newId(),
    token: `polar_cst_${randomBytes(24).toString('base64url')}`,
    customerId: customer.id,
    returnUrl: typeof body.return_url === 'string' ? body.return_url : null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS),
  };
  state.customerSessions.set(session.token, session);
  return { status: 201, body: customerSessionJson(state, session, context.baseUrl) };
}
