import { privacyNotice, retentionRows } from './privacy';
import { SERVER_LOG_RETENTION_DAYS, retentionSchema } from './retention';

describe('the privacy notice', () => {
  it('P6: shows the retention table it is given, every row with days a number of days or null (until deletion)', () => {
    const rows = retentionRows(retentionSchema.parse({ requestLogDays: '7', usageRecordDays: '90' }));
    const days = Object.fromEntries(rows.map((row) => [row.data.split(' (')[0], row.days]));
    expect(days).toEqual({
      'Images sent to the API': 0,
      'Request log': 7,
      'Server logs': SERVER_LOG_RETENTION_DAYS,
      'Per-call usage records': 90,
      'Daily usage rollups, invoices and billing ledger': 2557,
      "Workspace invitations": 30,
      'Account data': null,
    });
    expect(rows.find((row) => row.days === 2557)?.keptFor).toBe('2557 days (seven years or more)');
  });

  it('answers copies: a caller that changes its notice changes no other', () => {
    const first = privacyNotice(retentionSchema.parse({}));
    first.subprocessors[0].name = 'changed';
    expect(privacyNotice(retentionSchema.parse({})).subprocessors[0].name).toBe('Polar');
  });
});
