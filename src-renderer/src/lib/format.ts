import type { MetricValue } from '@contract/ui-api';

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** Compact, exact-enough metric display: 0.9234, 12.35, 1,024, 3.2e-7, NaN, ∞. */
export function formatMetric(v: MetricValue | undefined): string {
  if (v === undefined) return '';
  if (v === 'NaN') return 'NaN';
  if (v === 'Infinity') return '∞';
  if (v === '-Infinity') return '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return integer.format(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return v.toExponential(3).replace(/\.?0+e/, 'e');
  if (abs >= 1000) return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(v);
  return String(Number(v.toPrecision(5)));
}

/** Full-precision text for tooltips. */
export function metricTitle(v: MetricValue | undefined): string {
  return v === undefined ? '' : String(v);
}

const sameDayFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const sameYearFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const fullFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const titleFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

/** Start time: time of day for today, date + time this year, date otherwise. */
export function formatStart(ms: number | null, now = Date.now()): string {
  if (ms === null) return '';
  const d = new Date(ms);
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return sameDayFormat.format(d);
  if (d.getFullYear() === today.getFullYear()) return sameYearFormat.format(d);
  return fullFormat.format(d);
}

export function timeTitle(ms: number | null): string {
  return ms === null ? '' : titleFormat.format(new Date(ms));
}

/** 850ms, 12.3s, 4m 05s, 2h 03m, 3d 4h. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function plural(n: number, word: string): string {
  return `${integer.format(n)} ${word}${n === 1 ? '' : 's'}`;
}
