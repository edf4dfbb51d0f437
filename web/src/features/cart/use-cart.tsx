import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react'
import { CartStore, STORAGE_KEY, type Cart } from './cart'

const CartContext = createContext<CartStore | null>(null)

export function CartProvider({ store, children }: { store?: CartStore; children: ReactNode }) {
  const s = useMemo(() => store ?? new CartStore(), [store])
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key === STORAGE_KEY || e.key === null) s.reload()
    }
    window.addEventListener('storage', onStorage)
    return () => window.removeEventListener('storage', onStorage)
  }, [s])
  return <CartContext.Provider value={s}>{children}</CartContext.Provider>
}

export function useCartStore(): CartStore {
  const s = useContext(CartContext)
  if (!s) throw new Error('useCart outside CartProvider')
  return s
}

export function useCart(): [Cart, (f: (c: Cart) => Cart) => void] {
  const s = useCartStore()
  const cart = useSyncExternalStore(s.subscribe, s.get, s.get)
  return [cart, (f) => s.update(f)]
}
