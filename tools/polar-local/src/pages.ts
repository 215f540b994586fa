import { type Commerce, completeCheckout, revokeSubscription } from './commerce';
import { PolarHttpError } from './http';
import type { CheckoutRecord, PolarState, ProductRecord } from './state';

/** What a browser page answers: HTML, a redirect (303, as after a form post), or a file. */
export type PageAnswer =
  | { kind: 'html'; status: number; html: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'file'; contentType: string; content: Buffer };

/**
 * The pages a customer's browser sees instead of Polar's: the checkout (its "Pay" posts to `<url>/confirm`), the
 * confirmation, the customer portal (each subscription with a "Cancel subscription" form), and invoices.
 */
export function routePage(commerce: Commerce, method: string, path: string, form: () => URLSearchParams): PageAnswer | undefined {
  const checkoutMatch = /^\/checkout\/([^/]+)(\/confirm|\/confirmation)?$/.exec(path);
  if (checkoutMatch) {
    const checkout = checkoutBySecret(commerce.state, checkoutMatch[1]);
    if (!checkout) return html(404, 'Checkout not found', '<p>This checkout does not exist.</p>');
    const action = checkoutMatch[2] ?? '';
    if (method === 'GET' && action === '') return checkoutPage(commerce.state, checkout);
    if (method === 'GET' && action === '/confirmation') return html(200, 'Thank you', `<p>Your purchase of ${escape(productOf(commerce.state, checkout).name)} is complete.</p>`);
    if (method === 'POST' && action === '/confirm') return confirm(commerce, checkout, form().get('email'));
    return html(405, 'Method not allowed', '');
  }
  const portalMatch = /^\/portal\/([^/]+)(?:\/subscriptions\/([^/]+)\/cancel)?$/.exec(path);
  if (portalMatch) {
    const session = commerce.state.customerSessions.get(portalMatch[1]);
    if (!session || session.expiresAt < commerce.now()) return html(404, 'Session expired', '<p>This portal link has expired.</p>');
    if (method === 'GET' && !portalMatch[2]) return portalPage(commerce.state, session.customerId, portalMatch[1], session.returnUrl);
    if (method === 'POST' && portalMatch[2]) {
      const subscription = commerce.state.subscriptions.get(portalMatch[2]);
      if (!subscription || subscription.customerId !== session.customerId) return html(404, 'Not found', '<p>No such subscription.</p>');
      if (subscription.status === 'active') revokeSubscription(commerce, subscription);
      return { kind: 'redirect', location: `/portal/${encodeURIComponent(portalMatch[1])}` };
    }
    return html(405, 'Method not allowed', '');
  }
  const invoiceMatch = /^\/invoices\/([^/]+)\.pdf$/.exec(path);
  if (invoiceMatch && method === 'GET') {
    const order = commerce.state.orders.get(invoiceMatch[1]);
    if (!order?.isInvoiceGenerated) return html(404, 'Not found', '<p>No such invoice.</p>');
    return { kind: 'file', contentType: 'application/pdf', content: invoicePdf(`Invoice ${order.invoiceNumber}: ${order.subtotalAmount} cents`) };
  }
  return undefined;
}

function checkoutBySecret(state: PolarState, secret: string): CheckoutRecord | undefined {
  for (const checkout of state.checkouts.values()) if (checkout.clientSecret === secret) return checkout;
  return undefined;
}

function productOf(state: PolarState, checkout: CheckoutRecord): ProductRecord {
  return state.products.get(checkout.productId) as ProductRecord;
}

function confirm(commerce: Commerce, checkout: CheckoutRecord, email: string | null): PageAnswer {
  try {
    completeCheckout(commerce, checkout, email?.trim() || null);
  } catch (error) {
    if (error instanceof PolarHttpError && error.status === 409) return html(409, 'Already paid', '<p>This checkout is already complete.</p>');
    if (error instanceof PolarHttpError && error.status === 403) return html(403, 'Already subscribed', '<p>You already have an active subscription.</p>');
    throw error;
  }
  const location = checkout.successUrl
    ? checkout.successUrl.replaceAll('{CHECKOUT_ID}', checkout.id)
    : `/checkout/${encodeURIComponent(checkout.clientSecret)}/confirmation`;
  return { kind: 'redirect', location };
}

/** "$20.00" for whole cents, "$0.001" for a fraction of a cent (a metered unit price). */
function formatCents(cents: number | string): string {
  const dollars = Number(cents) / 100;
  return Number.isInteger(Number(cents)) ? `$${dollars.toFixed(2)}` : `$${dollars}`;
}

function checkoutPage(state: PolarState, checkout: CheckoutRecord): PageAnswer {
  const product = productOf(state, checkout);
  if (checkout.status !== 'open') return html(200, 'Checkout complete', '<p>This checkout is already complete.</p>');
  const price = `${formatCents(product.priceAmountCents)} per month, plus ${formatCents(product.meteredUnitAmountCents)} per unit`;
  return html(
    200,
    `Subscribe to ${product.name}`,
    `<h1>${escape(product.name)}</h1>
<p class="price">${escape(price)}</p>
<form method="post" action="/checkout/${encodeURIComponent(checkout.clientSecret)}/confirm">
  <label>Email <input type="email" name="email" required value="${escape(checkout.customerEmail ?? '')}"></label>
  <button type="submit">Pay</button>
</form>`,
  );
}

function portalPage(state: PolarState, customerId: string, token: string, returnUrl: string | null): PageAnswer {
  const rows = state.subscriptionsOf(customerId).map((subscription) => {
    const product = state.products.get(subscription.productId);
    const cancel =
      subscription.status === 'active'
        ? `<form method="post" action="/portal/${encodeURIComponent(token)}/subscriptions/${encodeURIComponent(subscription.id)}/cancel"><button type="submit">Cancel subscription</button></form>`
        : '';
    return `<li data-subscription-id="${escape(subscription.id)}">${escape(product?.name ?? subscription.productId)}: ${escape(subscription.status)}, until ${escape(subscription.currentPeriodEnd.toISOString())} ${cancel}</li>`;
  });
  const back = returnUrl ? `<p><a href="${escape(returnUrl)}">Back</a></p>` : '';
  return html(200, 'Your subscriptions', `<h1>Your subscriptions</h1><ul>${rows.join('\n') || '<li>No subscriptions.</li>'}</ul>${back}`);
}

function html(status: number, title: string, body: string): PageAnswer {
  return {
    kind: 'html',
    status,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · polar-local</title></head><body>${body}</body></html>`,
  };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A one-page PDF with one line of text: enough for a client to download and show. */
function invoicePdf(line: string): Buffer {
  const text = line.replace(/[()\\]/g, '');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${`BT /F1 14 Tf 72 770 Td (${text}) Tj ET`.length} >>\nstream\nBT /F1 14 Tf 72 770 Td (${text}) Tj ET\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
