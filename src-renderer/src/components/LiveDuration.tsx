import { useEffect, useState } from 'react';
import { formatDuration } from '../lib/format';

/** Elapsed time of a running run, ticking once a second while it is on screen. */
export function LiveDuration({ start }: { start: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return <span className="live-duration">{formatDuration(Math.max(0, now - start))}</span>;
}
