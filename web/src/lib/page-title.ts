import { useEffect } from 'react'

/** Sets the tab title (read out by screen readers on navigation). */
export function usePageTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Rivulet` : 'Rivulet shop'
  }, [title])
}
