import { useState } from 'react';
import { Dialog } from '../../components/Dialog';

/** Add or remove a tag on the selected runs. */
export function TagDialog({
  count,
  onClose,
  onApply,
}: {
  count: number;
  onClose: () => void;
  onApply: (edit: { set?: { key: string; value: string }[]; remove?: string[] }) => Promise<void>;
}) {
  const [mode, setMode] = useState<'add' | 'remove'>('add');
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const valid = key.trim() !== '';
  const submit = async () => {
    if (!valid) return;
    setBusy(true);
    try {
      await onApply(mode === 'add' ? { set: [{ key: key.trim(), value }] } : { remove: [key.trim()] });
      onClose();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Tags of ${count.toLocaleString()} run${count === 1 ? '' : 's'}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="tag-form" className="button primary" disabled={!valid || busy}>
            {mode === 'add' ? 'Set tag' : 'Remove tag'}
          </button>
        </>
      }
    >
      <form
        id="tag-form"
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="segmented" role="radiogroup" aria-label="Action">
          <button
            type="button"
            role="radio"
            aria-checked={mode === 'add'}
            className={mode === 'add' ? 'on' : ''}
            onClick={() => setMode('add')}
          >
            Add or change
          </button>
          <button
            type="button"
            role="radio"
            aria-checked={mode === 'remove'}
            className={mode === 'remove' ? 'on' : ''}
            onClick={() => setMode('remove')}
          >
            Remove
          </button>
        </div>
        <label className="field">
          <span>Key</span>
          <input value={key} onChange={(e) => setKey(e.target.value)} placeholder="e.g. phase" aria-label="Tag key" />
        </label>
        {mode === 'add' && (
          <label className="field">
            <span>Value</span>
            <input
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder="e.g. tuning"
              aria-label="Tag value"
            />
          </label>
        )}
      </form>
    </Dialog>
  );
}

export const SHORTCUTS: [string, string][] = [
  ['↑ ↓', 'Move the cursor'],
  ['Shift + ↑ ↓', 'Extend the selection'],
  ['Page Up / Page Down', 'Move a page'],
  ['Home / End', 'First / last run'],
  ['Space', 'Select or unselect the run at the cursor'],
  ['Enter', 'Open the run (or a group)'],
  ['← →', 'Collapse / expand nested runs or a group'],
  ['Ctrl/⌘ + A', 'Select every run of the view'],
  ['Esc', 'Clear the selection, close panels'],
  ['/', 'Focus the filter'],
  ['?', 'Show these shortcuts'],
  ['Click / Shift-click / Ctrl-click', 'Select / select a range / add or remove one'],
];

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, v]) => (
            <tr key={k}>
              <td>
                {k.split(' / ').map((part, i) => (
                  <span key={i}>
                    {i > 0 && ' / '}
                    <kbd>{part}</kbd>
                  </span>
                ))}
              </td>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}

/** Confirmation for deleting runs (they can be restored from the Deleted view). */
export function ConfirmDialog({
  title,
  body,
  action,
  danger,
  onClose,
  onConfirm,
}: {
  title: string;
  body: string;
  action: string;
  danger?: boolean;
  onClose: () => void;
  onConfirm: () => void;
}) {
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className={`button ${danger ? 'danger' : 'primary'}`}
            onClick={() => {
              onClose();
              onConfirm();
            }}
          >
            {action}
          </button>
        </>
      }
    >
      <p>{body}</p>
    </Dialog>
  );
}
