import { Injectable } from '@nestjs/common';
import { requireId } from '@nomosly/accounts';
import { type RequestsQuery, encodeCursor } from './requests.dto';
import { type RequestLogItem, RequestsQueries } from './requests.queries';

export interface RequestsPage {
  items: RequestLogItem[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** A workspace's request log (P2's fields), newest first, a page at a time. */
@Injectable()
export class RequestsService {
  constructor(private readonly queries: RequestsQueries) {}

  async page(workspaceId: string, query: RequestsQuery): Promise<RequestsPage> {
    const filter = { status: query.status, path: query.path, keyPrefix: query.keyPrefix, after: query.cursor };
    // One more than asked for says whether there is a next page.
    const rows = await this.queries.page(requireId(workspaceId, 'workspace'), filter, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return { items: page.map((row) => row.item), nextCursor: rows.length > query.limit && last ? encodeCursor(last.cursor) : null };
  }
}
