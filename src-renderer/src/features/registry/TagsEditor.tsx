import { useState } from 'react';
import type { RegistryTag } from '@contract/registry-api';
import { InlineError } from './Badges';

/**
 * Key/value tags with add, edit-by-re-adding and remove. The server validates keys and values
 * (MLflow's rules); its message is shown inline. `mlflow.*` tags are shown read-only.
 */
export function TagsEditor({
  tags,
  setTag,
  deleteTag,
}: {
  tags: RegistryTag[] | undefined;
  setTag: (key: string, value: string) => Promise<void>;
  deleteTag: (key: string) => Promise<void>;
}) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const list = [...(tags ?? [])].sort((a, b) => a.key.localeCompare(b.key));

  const run = async (action: () => Promise<void>, after?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      after?.();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="rg-card" aria-label="Tags">
      <header className="rg-card-head">
        <h2>Tags</h2>
        <span className="muted">{list.length || ''}</span>
      </header>
      {list.length > 0 ? (
        <table className="rg-kv">
          <tbody>
            {list.map((t) => (
              <tr key={t.key}>
                <th scope="row">{t.key}</th>
                <td>{t.value ?? <span className="muted">(null)</span>}</td>
                <td className="rg-kv-action">
                  {!t.key.startsWith('mlflow.') && (
                    <button
                      type="button"
                      className="rg-icon-button"
                      aria-label={`Remove tag ${t.key}`}
                      title="Remove tag"
                      disabled={busy}
                      onClick={() => void run(() => deleteTag(t.key))}
                    >
                      ×
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted rg-placeholder">No tags.</p>
      )}
      <form
        className="rg-inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            () => setTag(key.trim(), value),
            () => {
              setKey('');
              setValue('');
            },
          );
        }}
      >
        <input aria-label="Tag key" placeholder="Key" value={key} onChange={(e) => setKey(e.target.value)} />
        <input aria-label="Tag value" placeholder="Value" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit" className="rg-button" disabled={busy || !key.trim()}>
          Add tag
        </button>
      </form>
      <InlineError error={error} />
    </section>
  );
}
