import { useCallback, useEffect, useRef, useState } from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  /**
   * Loads again, keeping the current data on screen until the answer arrives; resolves once it
   * is shown (so an editor can close on fresh data rather than flash the old value).
   */
  reload: () => Promise<void>;
}

interface State<T> {
  key: string;
  data: T | undefined;
  error: Error | null;
  loading: boolean;
}

/**
 * Loads `load()` whenever `key` changes (and on `reload()`); answers to superseded requests are
 * dropped so a slow response never overwrites a newer one.
 */
export function useResource<T>(key: string, load: () => Promise<T>): Resource<T> {
  const [state, setState] = useState<State<T>>({ key, data: undefined, error: null, loading: true });
  const loadRef = useRef(load);
  const keyRef = useRef(key);
  const seq = useRef(0);
  useEffect(() => {
    loadRef.current = load;
    keyRef.current = key;
  });

  const fetchNow = useCallback(async (forKey: string): Promise<void> => {
    const ticket = ++seq.current;
    setState((s) =>
      s.key === forKey ? { ...s, loading: true } : { key: forKey, data: undefined, error: null, loading: true },
    );
    try {
      const data = await loadRef.current();
      if (ticket === seq.current) setState({ key: forKey, data, error: null, loading: false });
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      if (ticket === seq.current) {
        setState((s) => ({ key: forKey, data: s.key === forKey ? s.data : undefined, error, loading: false }));
      }
    }
  }, []);

  useEffect(() => {
    void fetchNow(key);
    const tickets = seq;
    return () => {
      tickets.current++; // the component moved on: drop the answer in flight
    };
  }, [key, fetchNow]);

  const reload = useCallback(() => fetchNow(keyRef.current), [fetchNow]);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : null,
    loading: !current || state.loading,
    reload,
  };
}
