import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useEffect, useState, type FormEvent } from 'react'
import { useSearchParams } from 'react-router'
import { Empty, ErrorState, Loading } from '../../components/states'
import { track } from '../events/track'
import { fetchCategories, fetchProducts, productsKey } from './api'
import { ProductCard } from './product-card'
import { usePageTitle } from '../../lib/page-title'

/** Keyed by the URL's search so that back/forward resets the text. */
function SearchForm({ initial, onSearch }: { initial: string; onSearch: (q: string) => void }) {
  const [draft, setDraft] = useState(initial)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    onSearch(draft.trim())
  }
  return (
    <form className="search" role="search" onSubmit={submit}>
      <label htmlFor="search" className="sr-only">Search products</label>
      <input id="search" type="search" placeholder="Search products" value={draft} onChange={(e) => setDraft(e.target.value)} />
      <button type="submit" className="btn btn--primary">Search</button>
    </form>
  )
}

/** The catalog: search, category filter and cursor pagination, all kept in the URL. */
export function ShopPage() {
  const [params, setParams] = useSearchParams()
  const search = params.get('q') ?? ''
  const category = params.get('category') ?? ''
  const cursor = params.get('cursor') ?? ''
  usePageTitle(search ? `Search: ${search}` : 'Shop')
  // Cursors of the pages before this one, for "Previous".
  const [trail, setTrail] = useState<string[]>([])
  useEffect(() => track('page_view'), [])

  const q = { search: search || undefined, category: category || undefined, cursor: cursor || undefined }
  const products = useQuery({
    queryKey: productsKey(q),
    queryFn: ({ signal }) => fetchProducts(q, signal),
    placeholderData: keepPreviousData,
  })
  const categories = useQuery({ queryKey: ['categories'], queryFn: fetchCategories, staleTime: 5 * 60_000 })

  const go = (next: { q?: string; category?: string; cursor?: string }) => {
    const p = new URLSearchParams()
    const nq = next.q ?? search
    const nc = next.category ?? category
    if (nq) p.set('q', nq)
    if (nc) p.set('category', nc)
    if (next.cursor) p.set('cursor', next.cursor)
    setParams(p)
  }

  const onSearch = (q: string) => {
    setTrail([])
    go({ q })
  }
  const onCategory = (c: string) => {
    setTrail([])
    go({ category: c })
  }
  const nextPage = () => {
    if (!products.data?.nextCursor) return
    setTrail([...trail, cursor])
    go({ cursor: products.data.nextCursor })
    window.scrollTo({ top: 0 })
  }
  const prevPage = () => {
    const t = [...trail]
    const prev = t.pop() ?? ''
    setTrail(t)
    go({ cursor: prev })
    window.scrollTo({ top: 0 })
  }
  const page = cursor ? trail.length + 1 : 1
  const hasPrev = Boolean(cursor)

  return (
    <div className="shop">
      <div className="page-head">
        <div>
          <h1>Shop</h1>
          <p className="muted">Fresh coffee, tea and everything to brew them. Orders are confirmed in real time.</p>
        </div>
        <SearchForm key={search} initial={search} onSearch={onSearch} />
      </div>

      {categories.data?.items.length ? (
        <div className="chips" role="group" aria-label="Category">
          <button type="button" className="chip" aria-pressed={!category} onClick={() => onCategory('')}>All</button>
          {categories.data.items.map((c) => (
            <button key={c.id} type="button" className="chip" aria-pressed={category === c.id} onClick={() => onCategory(c.id)}>
              {c.name} <span className="chip__count">{c.count}</span>
            </button>
          ))}
        </div>
      ) : null}

      {products.isLoading ? (
        <Loading label="Loading products…" />
      ) : products.error ? (
        <ErrorState error={products.error} onRetry={() => products.refetch()} title="Could not load the products" />
      ) : !products.data?.items.length ? (
        <Empty title={search || category ? 'No products match' : 'The shop is empty'}>
          {search || category ? (
            <button type="button" className="btn btn--secondary" onClick={() => { setTrail([]); setParams(new URLSearchParams()) }}>
              Clear search and filters
            </button>
          ) : <p className="muted">Products will appear here once the catalog is loaded.</p>}
        </Empty>
      ) : (
        <>
          {search ? <p className="muted results-for">Results for “{search}”</p> : null}
          <ul className={`grid${products.isPlaceholderData ? ' grid--stale' : ''}`} aria-busy={products.isFetching}>
            {products.data.items.map((p) => <ProductCard key={p.id} product={p} />)}
          </ul>
          {hasPrev || products.data.nextCursor ? (
            <nav className="pager" aria-label="Pages">
              <button type="button" className="btn btn--secondary" onClick={prevPage} disabled={!hasPrev}>← Previous</button>
              <span className="pager__page" aria-current="page">Page {page}</span>
              <button type="button" className="btn btn--secondary" onClick={nextPage} disabled={!products.data.nextCursor}>Next →</button>
            </nav>
          ) : null}
        </>
      )}
    </div>
  )
}
