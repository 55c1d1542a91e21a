import { useState } from 'react';
import type { RegisteredModelAlias } from '@contract/registry-api';
import { AliasChip, InlineError } from './Badges';
import { deleteAlias, setAlias } from './registry-client';

/**
 * A version's aliases: remove one, or add one (which moves it here if another version holds
 * it). MLflow validates the name (`latest` and `v<digits>` are reserved); its message shows inline.
 */
export function AliasEditor({
  name,
  version,
  aliases,
  modelAliases,
  onChange,
}: {
  name: string;
  version: string;
  aliases: string[];
  /** Every alias of the model, to say when adding one moves it from another version. */
  modelAliases: RegisteredModelAlias[];
  onChange: () => void;
}) {
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const trimmed = draft.trim();
  const holder = modelAliases.find((a) => a.alias === trimmed && a.version !== version);

  const run = async (action: () => Promise<void>, after?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      after?.();
      onChange();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="rg-card" aria-label="Aliases">
      <header className="rg-card-head">
        <h2>Aliases</h2>
      </header>
      {aliases.length ? (
        <ul className="rg-alias-list editable">
          {aliases.map((a) => (
            <li key={a}>
              <AliasChip alias={a} />
              <button
                type="button"
                className="rg-icon-button"
                aria-label={`Remove alias ${a}`}
                title="Remove alias"
                disabled={busy}
                onClick={() => void run(() => deleteAlias(name, a))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted rg-placeholder">No aliases point to this version.</p>
      )}
      <form
        className="rg-inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            () => setAlias(name, trimmed, version),
            () => setDraft(''),
          );
        }}
      >
        <input
          aria-label="New alias"
          placeholder="e.g. champion"
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            setError(null);
          }}
        />
        <button type="submit" className="rg-button" disabled={busy || !trimmed}>
          {holder ? 'Move alias' : 'Add alias'}
        </button>
      </form>
      {holder && (
        <p className="muted rg-hint" data-testid="alias-move-hint">
          @{trimmed} points to version {holder.version} now; adding it here moves it.
        </p>
      )}
      <InlineError error={error} />
    </section>
  );
}
