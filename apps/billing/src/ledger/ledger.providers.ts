import type { Provider } from '@nestjs/common';
import { LedgerSender } from './ledger-sender';
import { LedgerStore } from './ledger-store';

/** The ledger's part of the billing app: usage to Polar. */
export const ledgerProviders: Provider[] = [LedgerStore, LedgerSender];
