import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'
import { Empty, ErrorState, Loading } from '../../components/states'
import { usePageTitle } from '../../lib/page-title'
import { downloadUrl, fetchBuckets, fetchObjects } from './api'
import { formatBytes, formatMillis, prefixCrumbs } from './transforms'

const at = (bucket: string, prefix = '') => `/admin/console/objects?${new URLSearchParams(prefix ? { bucket, prefix } : { bucket })}`

function Listing({ bucket, prefix }: { bucket: string; prefix: string }) {
  const q = useInfiniteQuery({
    queryKey: ['console', 'objects', bucket, prefix],
    queryFn: ({ pageParam, signal }) => fetchObjects(bucket, prefix, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  if (q.isLoading) return <Loading label="Listing objects…" />
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} title="Could not list the objects" />
  const prefixes = q.data!.pages.flatMap((p) => p.prefixes)
  const objects = q.data!.pages.flatMap((p) => p.objects)
  if (!prefixes.length && !objects.length) return <Empty title={prefix ? 'This folder is empty' : 'This bucket is empty'} />
  return (
    <div className="table-wrap card" tabIndex={0} role="region" aria-label="Folder contents">
      <table className="table">
        <caption className="sr-only">Folders and objects in {bucket}/{prefix}</caption>
        <thead><tr><th scope="col">Name</th><th scope="col" className="num">Size</th><th scope="col">Type</th><th scope="col">Last modified</th><th scope="col"><span className="sr-only">Download</span></th></tr></thead>
        <tbody>
          {prefixes.map((p) => (
            <tr key={p}>
              <td><Link to={at(bucket, p)} className="mono">{p.slice(prefix.length)}</Link></td>
              <td className="num">—</td><td className="muted">Folder</td><td /><td />
            </tr>
          ))}
          {objects.map((o) => (
            <tr key={o.key}>
              <td className="mono">{o.key.slice(prefix.length)}</td>
              <td className="num">{formatBytes(o.size)}</td>
              <td className="small">{o.contentType}</td>
              <td className="small">{formatMillis(o.lastModified)}</td>
              <td><a className="btn btn--secondary btn--sm" href={downloadUrl(bucket, o.key)} download aria-label={`Download ${o.key}`}>Download</a></td>
            </tr>
          ))}
        </tbody>
      </table>
      {q.hasNextPage ? (
        <div className="pager"><button type="button" className="btn btn--secondary" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>{q.isFetchingNextPage ? 'Loading…' : 'Load more'}</button></div>
      ) : null}
    </div>
  )
}

export function ObjectsPage() {
  const [params] = useSearchParams()
  const bucket = params.get('bucket') ?? ''
  const prefix = params.get('prefix') ?? ''
  usePageTitle(bucket ? `${bucket} · Objects · Console` : 'Objects · Console')
  const buckets = useQuery({ queryKey: ['console', 'buckets'], queryFn: ({ signal }) => fetchBuckets(signal) })
  return (
    <section aria-labelledby="obj-h">
      <h1 id="obj-h">Objects</h1>
      {buckets.isLoading ? <Loading label="Loading buckets…" /> : buckets.error ? (
        <ErrorState error={buckets.error} onRetry={() => buckets.refetch()} title="Could not load the buckets" />
      ) : !buckets.data!.items.length ? (
        <Empty title="No buckets yet"><p className="muted">Create one with <span className="mono">aws s3 mb s3://name --endpoint-url http://127.0.0.1:4566</span>; the order archive appears here once the archiver has written.</p></Empty>
      ) : (
        <div className="split">
          <div className="split__side">
            <ul className="picklist" aria-label="Buckets">
              {buckets.data!.items.map((b) => (
                <li key={b.name}>
                  <Link to={at(b.name)} aria-current={b.name === bucket ? 'page' : undefined} className="picklist__item">
                    <span className="mono">{b.name}</span>
                    <span className="muted small">since {formatMillis(b.createdAt).replace(/ UTC$/, '').split(',')[0]}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </div>
          <div className="split__main">
            {!bucket ? <Empty title="Choose a bucket to browse it" /> : (
              <>
                <nav aria-label="Folder" className="crumbs">
                  <Link to={at(bucket)} className="mono">{bucket}</Link>
                  {prefixCrumbs(prefix).map(([name, p], i, all) => (
                    <span key={p}> <span aria-hidden="true">/</span> {i === all.length - 1 ? <span className="mono" aria-current="page">{name}</span> : <Link to={at(bucket, p)} className="mono">{name}</Link>}</span>
                  ))}
                </nav>
                <Listing key={`${bucket}/${prefix}`} bucket={bucket} prefix={prefix} />
              </>
            )}
          </div>
        </div>
      )}
    </section>
  )
}
