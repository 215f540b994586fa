import type { components } from '../api/schema';
import { DateTime } from './feedback';
import { TableScroll } from './table-scroll';

/** One request of the log, as `GET /api/workspaces/:ws/requests` lists it. */
export type RequestLogItem = components['schemas']['RequestLogItem'];

/** The request log's rows, newest first as the API gives them. */
export function RequestLogTable({ items, caption }: { items: readonly RequestLogItem[]; caption: string }) {
  return (
    <TableScroll label={caption}>
      <table className="request-log">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Method</th>
            <th scope="col">Path</th>
            <th scope="col" className="number">
              Status
            </th>
            <th scope="col" className="number">
              Latency
            </th>
            <th scope="col">Key prefix</th>
            <th scope="col">Request id</th>
            <th scope="col">IP</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.requestId}>
              <td>
                <DateTime value={item.at} />
              </td>
              <td>{item.method}</td>
              <td>
                <code>{item.path}</code>
              </td>
              <td className={`number ${item.status >= 400 ? 'error' : 'ok'}`}>{item.status}</td>
              <td className="number">{item.latencyMs} ms</td>
              <td>{item.keyPrefix ? <code>{item.keyPrefix}</code> : <span className="muted">—</span>}</td>
              <td>
                <code>{item.requestId}</code>
              </td>
              <td>{item.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
