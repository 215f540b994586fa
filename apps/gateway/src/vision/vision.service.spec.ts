import { Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ErrorCode, Operation } from '@nomosly/contracts';
import type { BillableCall } from '../events/usage-recorder';
import type { VisionQueue } from './vision-queue.service';
import { VisionService } from './vision.service';

describe('VisionService: defence in depth behind ApiKeyAuth', () => {
  const run = jest.fn();
  const service = new VisionService({ run } as unknown as VisionQueue);
  const request = (billable?: Partial<BillableCall>) => ({ id: 'req_1', billable, raw: { socket: {} } }) as unknown as FastifyRequest;

  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('refuses with 401 a call that reached it without an admitted key, and runs nothing', async () => {
    await expect(service.handle(Operation.LabelsDetect, request())).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
    expect(run).not.toHaveBeenCalled();
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.stringContaining('without an admitted key'));
  });

  it('refuses a call admitted (and billed) as another operation', async () => {
    await expect(service.handle(Operation.LabelsDetect, request({ operation: Operation.FacesDetect, units: 1 }))).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
    });
    expect(run).not.toHaveBeenCalled();
  });
});
