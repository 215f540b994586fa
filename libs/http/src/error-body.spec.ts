import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { renderError } from './error-body';

describe('renderError', () => {
  it('renders public errors with their status, message and headers', () => {
    const rendered = renderError(new PublicError(ErrorCode.Unavailable, 'Try later.', { 'retry-after': '5' }), 'r1');
    expect(rendered).toEqual({
      status: 503,
      body: { error: { code: 'unavailable', message: 'Try later.', requestId: 'r1' } },
      headers: { 'retry-after': '5' },
      unexpected: false,
    });
  });

  it('maps framework errors to the documented codes, never to a 500', () => {
    expect(renderError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), 'r').status).toBe(415);
    expect(renderError(Object.assign(new Error('x'), { code: 'FST_REQ_FILE_TOO_LARGE' }), 'r').body.error.code).toBe('image_too_large');
    expect(renderError(new NotFoundException(), 'r').body.error.code).toBe('not_found');
    expect(renderError(new BadRequestException(), 'r').body.error.code).toBe('invalid_request');
  });

  it('hides the details of unexpected errors', () => {
    const rendered = renderError(new TypeError('secret internal detail at foo.ts:12'), 'r');
    expect(rendered.status).toBe(500);
    expect(rendered.unexpected).toBe(true);
    expect(JSON.stringify(rendered.body)).not.toContain('secret');
  });
});
