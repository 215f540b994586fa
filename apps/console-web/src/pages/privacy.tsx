import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ErrorMessage, Loading } from '../components/feedback';
import { TableScroll } from '../components/table-scroll';

/** Public: GET /api/privacy answers without authentication, so the page works signed out. */
export function PrivacyPage() {
  const notice = useQuery({ queryKey: ['privacy'], queryFn: () => unwrap(api.GET('/api/privacy')), staleTime: Infinity });
  return (
    <>
      <h1>Privacy</h1>
      {notice.isPending ? <Loading /> : null}
      <ErrorMessage error={notice.error} />
      {notice.data ? (
        <>
          <section>
            <h2 id="retention-heading">How long data is kept</h2>
            <TableScroll label="How long data is kept">
              <table aria-labelledby="retention-heading" className="wrapping">
                <thead>
                  <tr>
                    <th scope="col">Data</th>
                    <th scope="col">Kept for</th>
                  </tr>
                </thead>
                <tbody>
                  {notice.data.retention.map((row) => (
                    <tr key={row.data}>
                      <td>{row.data}</td>
                      <td>{row.keptFor}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </section>
          <section>
            <h2 id="subprocessors-heading">Subprocessors</h2>
            <TableScroll label="Subprocessors">
              <table aria-labelledby="subprocessors-heading" className="wrapping">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Purpose</th>
                    <th scope="col">Data</th>
                  </tr>
                </thead>
                <tbody>
                  {notice.data.subprocessors.map((row) => (
                    <tr key={row.name}>
                      <td>{row.name}</td>
                      <td>{row.purpose}</td>
                      <td>{row.data}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </section>
          <section>
            <h2 id="cookies-heading">Cookies</h2>
            <p>
              The console sets no cookies of its own: it keeps your sign-in in this browser tab. The only cookies are the identity provider's,
              strictly necessary to sign in, so there is nothing to consent to:
            </p>
            <TableScroll label="Cookies">
              <table aria-labelledby="cookies-heading" className="wrapping">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Purpose</th>
                  </tr>
                </thead>
                <tbody>
                  {notice.data.cookies.map((row) => (
                    <tr key={row.name}>
                      <td>
                        <code>{row.name}</code>
                      </td>
                      <td>{row.purpose}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </section>
        </>
      ) : null}
    </>
  );
}
