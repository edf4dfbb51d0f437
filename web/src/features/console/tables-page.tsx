import { useQuery } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { Empty, ErrorState, Loading } from '../../components/states'
import { ApiError } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { usePageTitle } from '../../lib/page-title'
import { fetchTables, queryTable, type Item, type TableInfo, type TableQuery } from './api'
import { cellText, columnsOf, namesFromExpressions, valuesFromRows, type ValueRow } from './transforms'

const keyText = (t: { keySchema: { name: string; type: string }[] }) =>
  t.keySchema.map((k) => `${k.name} (${k.type === 'HASH' ? 'partition' : 'sort'})`).join(', ')

function QueryForm({ table, onRun }: { table: TableInfo; onRun: (q: TableQuery) => void }) {
  const [index, setIndex] = useState('')
  const [keyCondition, setKeyCondition] = useState('')
  const [filter, setFilter] = useState('')
  const [rows, setRows] = useState<ValueRow[]>([{ name: ':v', type: 'S', value: '' }])
  const [rowError, setRowError] = useState<{ error: string; index: number } | null>(null)
  const schema = index ? table.indexes.find((i) => i.name === index) ?? table : table

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const v = valuesFromRows(rows)
    if ('error' in v) { setRowError(v); return }
    setRowError(null)
    const usedValues = Object.fromEntries(Object.entries(v.values).filter(([k]) => `${keyCondition} ${filter}`.includes(k)))
    onRun({
      index: index || undefined,
      keyCondition: keyCondition.trim() || undefined,
      filter: filter.trim() || undefined,
      names: Object.keys(namesFromExpressions(keyCondition, filter)).length ? namesFromExpressions(keyCondition, filter) : undefined,
      values: Object.keys(usedValues).length ? usedValues : undefined,
      limit: 25,
    })
  }
  const setRow = (i: number, patch: Partial<ValueRow>) => setRows((r) => r.map((x, j) => (j === i ? { ...x, ...patch } : x)))

  return (
    <form className="card qform" onSubmit={submit} aria-label={`Query ${table.name}`}>
      <div className="qform__grid">
        <div className="field">
          <label htmlFor="q-index">Read from</label>
          <select id="q-index" value={index} onChange={(e) => setIndex(e.target.value)}>
            <option value="">The table</option>
            {table.indexes.map((i) => <option key={i.name} value={i.name}>Index {i.name}</option>)}
          </select>
          <p className="field__hint">Key: {keyText(schema)}</p>
        </div>
        <div className="field">
          <label htmlFor="q-key">Key condition</label>
          <input id="q-key" className="mono" value={keyCondition} onChange={(e) => setKeyCondition(e.target.value)} placeholder={`#${schema.keySchema[0]?.name ?? 'id'} = :v`} aria-describedby="q-key-hint" />
          <p className="field__hint" id="q-key-hint">Empty: browse every item (scan). <span className="mono">#name</span> stands for the attribute <span className="mono">name</span>.</p>
        </div>
        <div className="field">
          <label htmlFor="q-filter">Filter (optional)</label>
          <input id="q-filter" className="mono" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="#status = :s" />
        </div>
      </div>
      <fieldset className="qform__values">
        <legend>Values</legend>
        {rows.map((r, i) => (
          <div key={i} className={`qform__row ${rowError?.index === i ? 'field--invalid' : ''}`}>
            <label className="sr-only" htmlFor={`q-vn-${i}`}>Placeholder {i + 1}</label>
            <input id={`q-vn-${i}`} className="mono qform__name" value={r.name} onChange={(e) => setRow(i, { name: e.target.value })} aria-invalid={rowError?.index === i} />
            <label className="sr-only" htmlFor={`q-vt-${i}`}>Type of placeholder {i + 1}</label>
            <select id={`q-vt-${i}`} value={r.type} onChange={(e) => setRow(i, { type: e.target.value as 'S' | 'N' })}>
              <option value="S">String</option><option value="N">Number</option>
            </select>
            <label className="sr-only" htmlFor={`q-vv-${i}`}>Value of placeholder {i + 1}</label>
            <input id={`q-vv-${i}`} className="mono" value={r.value} onChange={(e) => setRow(i, { value: e.target.value })} aria-invalid={rowError?.index === i} placeholder="value" />
            {rows.length > 1 ? <button type="button" className="btn btn--ghost btn--sm" onClick={() => setRows((x) => x.filter((_, j) => j !== i))} aria-label={`Remove placeholder ${r.name || i + 1}`}>Remove</button> : null}
          </div>
        ))}
        {rowError ? <p className="field__error" role="alert">{rowError.error}</p> : null}
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => setRows((r) => [...r, { name: `:v${r.length + 1}`, type: 'S', value: '' }])}>Add a value</button>
      </fieldset>
      <button type="submit" className="btn btn--primary">{keyCondition.trim() ? 'Run query' : 'Browse items'}</button>
    </form>
  )
}

function Results({ table, query }: { table: TableInfo; query: TableQuery }) {
  const [starts, setStarts] = useState<(Item | null)[]>([null])
  const page = starts.length - 1
  const q = useQuery({
    queryKey: ['console', 'table', table.name, query, starts[page]],
    queryFn: ({ signal }) => queryTable(table.name, { ...query, startKey: starts[page] ?? undefined }, signal),
    retry: false,
  })
  if (q.isLoading) return <Loading label="Reading items…" />
  if (q.error) {
    const field = q.error instanceof ApiError ? q.error.field : undefined
    return <ErrorState error={q.error} title={field ? `The ${field === 'keyCondition' ? 'key condition' : field} is not valid` : 'The query failed'} />
  }
  const r = q.data!
  const keys = table.keySchema.map((k) => k.name)
  const cols = columnsOf(r.items, keys)
  return (
    <section aria-label="Results" className="results">
      <p className="muted" role="status">
        Page {page + 1}: {formatCount(r.count)} item{r.count === 1 ? '' : 's'}{r.scannedCount !== r.count ? ` (${formatCount(r.scannedCount)} read before the filter)` : ''}.
        {r.redacted.length ? ` Hidden for safety: ${r.redacted.join(', ')}.` : ''}
      </p>
      {!r.items.length ? <Empty title="No items match" /> : (
        <div className="table-wrap card" tabIndex={0} role="region" aria-label={`Items of ${table.name}`}>
          <table className="table items">
            <caption className="sr-only">Items of {table.name}</caption>
            <thead><tr>{cols.map((c) => <th key={c} scope="col">{c}{keys.includes(c) ? <span className="keymark">key</span> : null}</th>)}</tr></thead>
            <tbody>
              {r.items.map((it, i) => (
                <tr key={i}>{cols.map((c) => <td key={c} className="mono cell" title={cellText(it[c])}>{cellText(it[c])}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        <button type="button" className="btn btn--secondary btn--sm" disabled={page === 0} onClick={() => setStarts((s) => s.slice(0, -1))}>Previous page</button>
        <button type="button" className="btn btn--secondary btn--sm" disabled={!r.lastKey} onClick={() => setStarts((s) => [...s, r.lastKey])}>Next page</button>
      </div>
    </section>
  )
}

export function TablesPage() {
  const name = useParams().name
  const navigate = useNavigate()
  usePageTitle(name ? `${name} · Tables · Console` : 'Tables · Console')
  const tables = useQuery({ queryKey: ['console', 'tables'], queryFn: ({ signal }) => fetchTables(signal), refetchInterval: 10_000 })
  const [run, setRun] = useState<{ table: string; query: TableQuery; n: number } | null>(null)
  const table = tables.data?.items.find((t) => t.name === name)
  const current = run && run.table === name ? run : name ? { table: name, query: { limit: 25 }, n: 0 } : null

  return (
    <section aria-labelledby="tables-h">
      <h1 id="tables-h">Tables{name ? <> <span aria-hidden="true">/</span> <span className="mono">{name}</span></> : null}</h1>
      {tables.isLoading ? <Loading label="Loading tables…" /> : tables.error ? (
        <ErrorState error={tables.error} onRetry={() => tables.refetch()} title="Could not load the tables" />
      ) : (
        <div className="split">
          <div className="split__side">
            <ul className="picklist" aria-label="Tables">
              {tables.data!.items.map((t) => (
                <li key={t.name}>
                  <Link to={`/admin/console/tables/${encodeURIComponent(t.name)}`} aria-current={t.name === name ? 'page' : undefined} className="picklist__item">
                    <span className="mono">{t.name}</span>
                    <span className="muted small">{formatCount(t.itemCount)} item{t.itemCount === 1 ? '' : 's'}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </div>
          <div className="split__main">
            {!name ? <Empty title="Choose a table to browse or query it" /> : !table ? (
              <ErrorState error={new Error(`There is no table named ${name}.`)} onRetry={() => navigate('/admin/console/tables')} title="Unknown table" />
            ) : (
              <>
                <p className="muted">Key: <span className="mono">{keyText(table)}</span>{table.indexes.length ? <> · indexes: <span className="mono">{table.indexes.map((i) => i.name).join(', ')}</span></> : null}{table.ttlAttribute ? <> · TTL on <span className="mono">{table.ttlAttribute}</span></> : null}</p>
                <QueryForm key={table.name} table={table} onRun={(query) => setRun({ table: table.name, query, n: (run?.n ?? 0) + 1 })} />
                {current ? <Results key={`${current.table}#${current.n}`} table={table} query={current.query} /> : null}
              </>
            )}
          </div>
        </div>
      )}
    </section>
  )
}

