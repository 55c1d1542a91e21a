import { useEffect, useState } from 'react';
import type { ExperimentSummary } from '@contract/ui-api';
import { getApi } from '../../api/client';
import { describeError, useApp } from '../../state/app-store';
import { href } from '../../app/router';
import { plural } from '../../lib/format';
import { Markdown } from '../../components/Markdown';

/**
 * Title of the runs page: the experiment's name (rename in place), id, run count and its
 * markdown description (`mlflow.note.content`, editable); or the experiments being compared.
 */
export function ExperimentHeader({
  experiments,
  ids,
  runCount,
  filtered,
  hidden,
}: {
  experiments: ExperimentSummary[];
  ids: string[];
  runCount: number | null;
  filtered: boolean;
  /** Runs the user hid from this view (a way back to them sits beside the count). */
  hidden?: { count: number; shown: boolean; toggle: () => void };
}) {
  const single = experiments.length === 1 ? experiments[0]! : null;
  const total =
    runCount === null ? null : (
      <>
        <span data-testid="run-total">
          {plural(runCount, 'run')}
          {filtered ? (runCount === 1 ? ' matches' : ' match') : ''}
        </span>
        {hidden && hidden.count > 0 && (
          <button
            type="button"
            className="link-button hidden-toggle"
            onClick={hidden.toggle}
            title={hidden.shown ? 'Leave hidden runs out of the view' : 'Show the runs you hid, dimmed'}
          >
            {hidden.count.toLocaleString()} hidden{hidden.shown ? ' (shown)' : ''}
          </button>
        )}
      </>
    );
  if (!single) {
    return (
      <header className="pane-header">
        <div className="pane-title">
          <h1 id="experiment-title">Comparing {plural(ids.length, 'experiment')}</h1>
          <div className="pane-meta muted">
            {experiments.map((e) => (
              <a key={e.experimentId} className="chip-link" href={href('experiments', e.experimentId)}>
                {e.name}
              </a>
            ))}
            {total}
          </div>
        </div>
      </header>
    );
  }
  return (
    <header className="pane-header">
      <div className="pane-title">
        <EditableTitle experiment={single} />
        <div className="pane-meta muted">
          <span>ID {single.experimentId}</span>
          {total}
          {single.lifecycleStage === 'deleted' && <span className="badge muted-badge">deleted</span>}
        </div>
      </div>
      <Description experiment={single} />
    </header>
  );
}

function EditableTitle({ experiment }: { experiment: ExperimentSummary }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(experiment.name);
  const notify = useApp((s) => s.notify);
  const refresh = useApp((s) => s.refreshExperiments);
  useEffect(() => setName(experiment.name), [experiment.name]);
  const canRename = experiment.lifecycleStage === 'active' && experiment.experimentId !== '0';
  const save = async () => {
    const next = name.trim();
    setEditing(false);
    if (!next || next === experiment.name) return setName(experiment.name);
    try {
      await getApi().updateExperiment({ experimentId: experiment.experimentId, name: next });
      await refresh();
      notify(`Renamed to “${next}”`);
    } catch (err) {
      setName(experiment.name);
      notify(describeError(err), 'error');
    }
  };
  if (editing) {
    return (
      <form
        className="title-edit"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <input
          autoFocus
          aria-label="Experiment name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => void save()}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setName(experiment.name);
              setEditing(false);
            }
          }}
        />
      </form>
    );
  }
  return (
    <div className="title-row">
      <h1 id="experiment-title" onDoubleClick={() => canRename && setEditing(true)}>
        {experiment.name}
      </h1>
      {canRename && (
        <button
          type="button"
          className="icon-button subtle"
          aria-label="Rename experiment"
          title="Rename"
          onClick={() => setEditing(true)}
        >
          ✎
        </button>
      )}
    </div>
  );
}

function Description({ experiment }: { experiment: ExperimentSummary }) {
  const [editing, setEditing] = useState(false);
  const [expanded, setExpanded] = useState(false);
  const [text, setText] = useState(experiment.description);
  const notify = useApp((s) => s.notify);
  const refresh = useApp((s) => s.refreshExperiments);
  useEffect(() => setText(experiment.description), [experiment.description]);
  const editable = experiment.lifecycleStage === 'active';
  const save = async () => {
    try {
      await getApi().updateExperiment({ experimentId: experiment.experimentId, description: text });
      await refresh();
      setEditing(false);
    } catch (err) {
      notify(describeError(err), 'error');
    }
  };
  if (editing) {
    return (
      <div className="description editing">
        <textarea
          autoFocus
          aria-label="Experiment description (markdown)"
          value={text}
          rows={6}
          placeholder="Describe this experiment (markdown)"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setText(experiment.description);
              setEditing(false);
            } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void save();
          }}
        />
        <div className="row-actions">
          <span className="muted small">Markdown · Ctrl+Enter to save</span>
          <button type="button" className="button" onClick={() => (setText(experiment.description), setEditing(false))}>
            Cancel
          </button>
          <button type="button" className="button primary" onClick={() => void save()}>
            Save
          </button>
        </div>
      </div>
    );
  }
  if (!experiment.description) {
    return editable ? (
      <button type="button" className="link-button add-description" onClick={() => setEditing(true)}>
        + Add a description
      </button>
    ) : null;
  }
  const long = experiment.description.length > 220 || experiment.description.split('\n').length > 4;
  return (
    <div className={`description${long && !expanded ? ' clamped' : ''}`}>
      <Markdown text={experiment.description} />
      <div className="row-actions">
        {long && (
          <button type="button" className="link-button" onClick={() => setExpanded((v) => !v)}>
            {expanded ? 'Show less' : 'Show more'}
          </button>
        )}
        {editable && (
          <button type="button" className="link-button" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
      </div>
    </div>
  );
}
