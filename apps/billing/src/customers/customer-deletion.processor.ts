import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { BillingJob, QueueName } from '@nomosly/contracts';
import { type CustomerDeletionOutcome, PolarCustomerDeletion } from './polar-customer-deletion';

/**
 * The billing queue's worker for Polar customer deletions. BullMQ runs one processor per queue in a process: where
 * the app has another billing-queue processor (the reconciliation's), that one dispatches `billing.delete-customer`
 * to PolarCustomerDeletion.handle and this class goes.
 */
@Processor(QueueName.Billing, { autorun: false, concurrency: 1 })
export class CustomerDeletionProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('BillingJobs');

  constructor(private readonly customers: PolarCustomerDeletion) {
    super();
  }

  onApplicationBootstrap(): void {
    void this.worker.run();
  }

  async process(job: Job): Promise<{ outcome: CustomerDeletionOutcome } | undefined> {
    if (job.name === BillingJob.DeleteCustomer) return this.customers.handle(job);
    // Thrown, not completed: another replica's processor may know it, and a completed job would be lost.
    throw new Error(`unknown billing job "${job.name.slice(0, 64)}"`);
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.error(`billing worker: ${error.message}`);
  }
}
