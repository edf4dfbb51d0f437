import { api, query } from '../../lib/api'
import type { Category, Page, Product } from '../../lib/types'

export const PAGE_SIZE = 12

export interface ProductQuery {
  search?: string
  category?: string
  cursor?: string
}

export const productsKey = (q: ProductQuery) => ['products', 'list', q] as const
export const productKey = (id: string) => ['products', 'one', id] as const

export const fetchProducts = (q: ProductQuery, signal?: AbortSignal) =>
  api<Page<Product>>(`/api/products${query({ search: q.search, category: q.category, cursor: q.cursor, limit: PAGE_SIZE })}`, { signal })

export const fetchProduct = (id: string, signal?: AbortSignal) =>
  api<Product>(`/api/products/${encodeURIComponent(id)}`, { signal })

export const fetchCategories = () => api<{ items: Category[] }>('/api/categories')

/** Admins only: adds `quantity` units to the product's stock; answers the product. */
export const restockProduct = (id: string, quantity: number) =>
  api<Product>(`/api/admin/products/${encodeURIComponent(id)}/restock`, { body: { quantity } })
