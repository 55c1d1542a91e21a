import { useEffect } from 'react';

/**
 * Registry changes made by scripts do not come through the live stream (it carries run changes),
 * so registry screens reload when the window regains focus or the tab becomes visible.
 */
export function useRefreshOnFocus(reload: () => void): void {
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible') reload();
    };
    window.addEventListener('focus', reload);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('focus', reload);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [reload]);
}
