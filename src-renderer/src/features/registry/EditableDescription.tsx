import { useState } from 'react';
import { Markdown } from './Markdown';
import { InlineError } from './Badges';

/** A markdown description shown rendered, edited as source; `save` persists it (MLflow update). */
export function EditableDescription({
  value,
  save,
  placeholder = 'No description yet.',
}: {
  value: string;
  save: (next: string) => Promise<void>;
  placeholder?: string;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    if (draft === null) return;
    setBusy(true);
    setError(null);
    try {
      await save(draft);
      setDraft(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="rg-card" aria-label="Description">
      <header className="rg-card-head">
        <h2>Description</h2>
        {draft === null && (
          <button type="button" className="rg-button ghost small" onClick={() => setDraft(value)}>
            Edit
          </button>
        )}
      </header>
      {draft === null ? (
        value.trim() ? (
          <Markdown source={value} />
        ) : (
          <p className="muted rg-placeholder">{placeholder}</p>
        )
      ) : (
        <form
          className="rg-description-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <textarea
            aria-label="Description (Markdown)"
            value={draft}
            rows={Math.min(18, Math.max(5, draft.split('\n').length + 1))}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) void submit();
              if (e.key === 'Escape') setDraft(null);
            }}
            autoFocus
            placeholder="Markdown is supported: **bold**, `code`, lists, links…"
          />
          <InlineError error={error} />
          <div className="rg-form-actions">
            <span className="muted rg-hint">Markdown · Ctrl+Enter to save</span>
            <button type="button" className="rg-button ghost" onClick={() => setDraft(null)} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="rg-button primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
