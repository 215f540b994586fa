import { clientBucket } from './client-address';

describe('clientBucket', () => {
  it('keeps an IPv4 address, also when IPv4-mapped, in its short or long form', () => {
    expect(clientBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(clientBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientBucket('0:0:0:0:0:ffff:cb00:7107')).toBe('203.0.113.7');
    expect(clientBucket('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('puts every address of one IPv6 /64 in one bucket, however it is written', () => {
    expect(clientBucket('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(clientBucket('2001:0db8:0000:0001:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(clientBucket('2001:DB8:0:1::2')).toBe('2001:db8:0:1::/64');
    expect(clientBucket('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(clientBucket('::1')).toBe('0:0:0:0::/64');
    expect(clientBucket('2001:db8:0:2::1')).not.toBe(clientBucket('2001:db8:0:1::1'));
  });

  it('puts a link-local address in its /64 whatever its zone id', () => {
    expect(clientBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientBucket('fe80::2%eth1')).toBe(clientBucket('fe80::1'));
  });
});
