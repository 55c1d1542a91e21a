import { MODEL_STAGES, type ModelStage, type ModelVersion, type RegisteredModel } from '@contract/registry-api';

/** Relative time for recent moments ("3 min ago"), a date for older ones. */
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const dateFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatWhen(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const diff = (ms - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(diff / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(diff / 3600), 'hour');
  if (abs < 7 * 86_400) return relative.format(Math.round(diff / 86_400), 'day');
  return dateFormat.format(new Date(ms));
}

export function fullTime(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? '' : fullFormat.format(new Date(ms));
}

/** A stage as MLflow spells it (imported data may use another case). */
export function canonicalStage(stage: string | undefined): ModelStage {
  const s = (stage ?? 'None').toLowerCase();
  return MODEL_STAGES.find((x) => x.toLowerCase() === s) ?? 'None';
}

/** Latest version per stage, in stage order (Production first: what users look for). */
export function latestByStage(model: RegisteredModel): { stage: ModelStage; version: ModelVersion }[] {
  const order: ModelStage[] = ['Production', 'Staging', 'None', 'Archived'];
  const out: { stage: ModelStage; version: ModelVersion }[] = [];
  for (const stage of order) {
    const candidates = (model.latest_versions ?? []).filter((v) => canonicalStage(v.current_stage) === stage);
    const best = candidates.sort((a, b) => Number(b.version) - Number(a.version))[0];
    if (best) out.push({ stage, version: best });
  }
  return out;
}

/** `models:/<model_id>` → the MLflow 3 logged model id, when the source names one. */
export function loggedModelIdOf(source: string | undefined): string | null {
  const m = /^models:\/(m-[0-9a-f]+)\/?$/i.exec(source ?? '');
  return m ? m[1]! : null;
}

export const shortId = (id: string): string => (id.length > 12 ? id.slice(0, 8) : id);
