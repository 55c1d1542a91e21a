import type { RegistryTag } from '@contract/registry-api';
import { canonicalStage, formatWhen, fullTime } from './registry-format';
import { versionHref } from './registry-route';

/** A version's stage as a colored pill (None is quiet, Production stands out). */
export function StageBadge({ stage }: { stage: string | undefined }) {
  const s = canonicalStage(stage);
  return (
    <span className={`rg-stage rg-stage-${s.toLowerCase()}`} data-stage={s}>
      {s === 'None' ? 'No stage' : s}
    </span>
  );
}

/** `@alias`, optionally linking to the version it points at. */
export function AliasChip({ alias, model, version }: { alias: string; model?: string; version?: string }) {
  const label = (
    <>
      <span className="rg-alias-at">@</span>
      {alias}
      {version !== undefined && <span className="rg-alias-version">v{version}</span>}
    </>
  );
  return model !== undefined && version !== undefined ? (
    <a className="rg-alias" href={versionHref(model, version)} title={`${model}@${alias} → version ${version}`}>
      {label}
    </a>
  ) : (
    <span className="rg-alias" title={`@${alias}`}>
      {label}
    </span>
  );
}

export function TagChips({ tags, max = 4 }: { tags: RegistryTag[] | undefined; max?: number }) {
  const shown = (tags ?? []).filter((t) => !t.key.startsWith('mlflow.'));
  if (!shown.length) return <span className="muted">—</span>;
  return (
    <span className="rg-chips">
      {shown.slice(0, max).map((t) => (
        <span key={t.key} className="rg-tag" title={`${t.key}: ${t.value ?? ''}`}>
          <span className="rg-tag-key">{t.key}</span>
          {t.value ? <span className="rg-tag-value">{t.value}</span> : null}
        </span>
      ))}
      {shown.length > max && <span className="muted">+{shown.length - max}</span>}
    </span>
  );
}

export function When({ ms }: { ms: number | undefined }) {
  return (
    <time dateTime={ms === undefined ? undefined : new Date(ms).toISOString()} title={fullTime(ms)}>
      {formatWhen(ms)}
    </time>
  );
}

/** MLflow's message for a failed request, shown where the action was taken. */
export function InlineError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <div className="rg-inline-error" role="alert">
      {error}
    </div>
  );
}
