import { ConfigError } from '@nomosly/config';
import { loadAuditConfig } from './audit-config';

describe('the privacy audit reads VISION_REDIS_PERSISTENCE_CHECKED as the apps do', () => {
  it.each([
    [undefined, false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', true],
  ])('P1: %s reads as %s', (value, expected) => {
    expect(loadAuditConfig(value === undefined ? {} : { VISION_REDIS_PERSISTENCE_CHECKED: value }).VISION_REDIS_PERSISTENCE_CHECKED).toBe(expected);
  });

  it('P1: refuses any other value, naming the variable', () => {
    expect(() => loadAuditConfig({ VISION_REDIS_PERSISTENCE_CHECKED: 'yes' })).toThrow(ConfigError);
    expect(() => loadAuditConfig({ VISION_REDIS_PERSISTENCE_CHECKED: 'yes' })).toThrow(/VISION_REDIS_PERSISTENCE_CHECKED: expected true or false/);
  });
});
