import { useState } from 'react';
import { MODEL_STAGES, type ModelStage, type ModelVersion } from '@contract/registry-api';
import { Dialog } from './Dialog';
import { InlineError, StageBadge } from './Badges';
import { transitionStage } from './registry-client';
import { canonicalStage } from './registry-format';

const ACTION_LABEL: Record<ModelStage, string> = {
  None: 'Remove stage',
  Staging: 'Move to Staging',
  Production: 'Move to Production',
  Archived: 'Archive',
};

/**
 * Stage transitions (MLflow's legacy stages) as actions. Each goes through a confirmation
 * dialog; moving into Staging or Production offers MLflow's `archive_existing_versions`.
 */
export function StageActions({
  version,
  siblings,
  onDone,
}: {
  version: ModelVersion;
  /** All versions of the model (to name those an archive would move). */
  siblings: ModelVersion[];
  onDone: () => void;
}) {
  const current = canonicalStage(version.current_stage);
  const [target, setTarget] = useState<ModelStage | null>(null);
  return (
    <div className="rg-stage-actions" role="group" aria-label="Stage transitions">
      {MODEL_STAGES.filter((s) => s !== current).map((s) => (
        <button
          key={s}
          type="button"
          className={`rg-button${s === 'Production' ? ' primary' : ''}${s === 'Archived' ? ' danger-ghost' : ''}`}
          onClick={() => setTarget(s)}
        >
          {ACTION_LABEL[s]}
        </button>
      ))}
      {target && (
        <TransitionDialog
          version={version}
          target={target}
          siblings={siblings}
          onClose={() => setTarget(null)}
          onDone={() => {
            setTarget(null);
            onDone();
          }}
        />
      )}
    </div>
  );
}

function TransitionDialog({
  version,
  target,
  siblings,
  onClose,
  onDone,
}: {
  version: ModelVersion;
  target: ModelStage;
  siblings: ModelVersion[];
  onClose: () => void;
  onDone: () => void;
}) {
  const canArchive = target === 'Staging' || target === 'Production';
  const holders = siblings.filter((v) => v.version !== version.version && canonicalStage(v.current_stage) === target);
  const [archive, setArchive] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await transitionStage({
        name: version.name,
        version: version.version,
        stage: target,
        archive_existing_versions: canArchive && archive,
      });
      onDone();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Transition version ${version.version} to ${target === 'None' ? 'no stage' : target}?`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="rg-button ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button
            type="button"
            className={`rg-button ${target === 'Archived' ? 'danger' : 'primary'}`}
            onClick={() => void confirm()}
            disabled={busy}
            autoFocus
          >
            {busy ? 'Transitioning…' : target === 'None' ? 'Remove stage' : `Transition to ${target}`}
          </button>
        </>
      }
    >
      <div className="rg-transition">
        <StageBadge stage={version.current_stage} />
        <span className="rg-arrow" aria-hidden>
          →
        </span>
        <StageBadge stage={target} />
      </div>
      <p>
        Version {version.version} of <strong>{version.name}</strong> moves to {target === 'None' ? 'no stage' : target}.
        {target !== 'None' && target !== 'Archived' && (
          <>
            {' '}
            Clients loading{' '}
            <code>
              models:/{version.name}/{target}
            </code>{' '}
            get the latest version in that stage.
          </>
        )}
      </p>
      {canArchive && (
        <label className="rg-checkbox">
          <input type="checkbox" checked={archive} onChange={(e) => setArchive(e.target.checked)} />
          <span>
            Transition existing {target} versions to Archived
            <span className="muted rg-checkbox-note">
              {holders.length
                ? ` (version${holders.length === 1 ? '' : 's'} ${holders.map((v) => v.version).join(', ')})`
                : ` (none at the moment)`}
            </span>
          </span>
        </label>
      )}
      <InlineError error={error} />
    </Dialog>
  );
}
