import { Controller, Get, Inject } from '@nestjs/common';
import { privacyNotice, retentionFrom } from '@nomosly/contracts';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';
import type { PrivacyNoticeBody } from './privacy.dto';

/**
 * `GET /api/privacy`, without authentication: the privacy page's data, from the same retention variables the
 * usage app's sweep reads, so the page and the sweep cannot disagree (P6).
 */
@Controller('api/privacy')
export class PrivacyController {
  private readonly notice: PrivacyNoticeBody;

  constructor(@Inject(CONSOLE_CONFIG) config: ConsoleConfig) {
    this.notice = privacyNotice(retentionFrom(config));
  }

  @Get()
  get(): PrivacyNoticeBody {
    return this.notice;
  }
}
