import { useEffect, useId, useState } from 'react';
import { LOGGED_MODEL_VERSIONS_TAG, type LoggedModelLite, type RunInfoLite } from '@contract/registry-api';
import { Dialog } from './Dialog';
import { InlineError, When } from './Badges';
import {
  RegistryError,
  createModelVersion,
  createRegisteredModel,
  getRun,
  loggedModelsOfRun,
  modelDirsOfRun,
  nameFilter,
  searchRegisteredModels,
} from './registry-client';
import { navigate, versionHref } from './registry-route';
import { shortId } from './registry-format';
import type { RegisterModelButtonProps } from './RegisterModelButton';

/** Something in a run that can become a model version. */
type Candidate =
  { kind: 'logged'; key: string; model: LoggedModelLite } | { kind: 'artifact'; key: string; path: string };

interface RunModels {
  run: RunInfoLite;
  candidates: Candidate[];
}

async function findRunModels(runId: string): Promise<RunModels> {
  const run = (await getRun(runId)).info;
  // An unlistable artifact store (remote, missing folder) still leaves the logged models to offer.
  const [logged, dirs] = await Promise.all([loggedModelsOfRun(run), modelDirsOfRun(runId).catch(() => [])]);
  return {
    run,
    candidates: [
      ...logged.map((model): Candidate => ({ kind: 'logged', key: `model:${model.info.model_id}`, model })),
      ...dirs.map((path): Candidate => ({ kind: 'artifact', key: `path:${path}`, path })),
    ],
  };
}

/** Versions a logged model was already registered as (MLflow 3's `mlflow.modelVersions` tag). */
function registeredAs(model: LoggedModelLite): string[] {
  const raw = model.info.tags?.find((t) => t.key === LOGGED_MODEL_VERSIONS_TAG)?.value;
  if (!raw) return [];
  try {
    const list: unknown = JSON.parse(raw);
    if (!Array.isArray(list)) return [];
    return list
      .filter((x): x is { name: string; version: string | number } => !!x && typeof x === 'object' && 'name' in x)
      .map((x) => `${x.name} v${x.version}`);
  } catch {
    return [];
  }
}

const RUN_ID_RE = /^[0-9a-zA-Z_-]{8,64}$/;

export function RegisterModelDialog({
  runId: fixedRunId,
  artifactPath,
  modelId,
  defaultModelName = '',
  onRegistered,
  onClose,
}: Omit<RegisterModelButtonProps, 'label' | 'className'> & { onClose: () => void }) {
  const ids = useId();
  const [runInput, setRunInput] = useState(fixedRunId ?? '');
  const runId = (fixedRunId ?? runInput).trim();
  const [found, setFound] = useState<{ runId: string; result?: RunModels; error?: string } | null>(null);
  const [choice, setChoice] = useState<string | null>(null);
  const [modelName, setModelName] = useState(defaultModelName);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ name: string; version: string } | null>(null);

  // Look for the run's models (debounced while a run ID is typed).
  useEffect(() => {
    if (!RUN_ID_RE.test(runId)) return;
    let live = true;
    const t = setTimeout(
      () => {
        findRunModels(runId).then(
          (result) => {
            if (!live) return;
            setFound({ runId, result });
            const preferred =
              (modelId && `model:${modelId}`) || (artifactPath && `path:${artifactPath.replace(/^\/+|\/+$/g, '')}`);
            const keys = result.candidates.map((c) => c.key);
            setChoice(preferred && keys.includes(preferred) ? preferred : (keys[0] ?? null));
          },
          (e: unknown) => live && setFound({ runId, error: (e as Error).message }),
        );
      },
      fixedRunId ? 0 : 300,
    );
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [runId, fixedRunId, modelId, artifactPath]);

  // Existing model names for the name field's suggestions.
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      searchRegisteredModels({ filter: nameFilter(modelName), max_results: 20, order_by: ['name ASC'] }).then(
        (page) => live && setSuggestions((page.registered_models ?? []).map((m) => m.name)),
        () => live && setSuggestions([]),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [modelName]);

  const current = found?.runId === runId ? found : null;
  const result = current?.result;
  const candidate = result?.candidates.find((c) => c.key === choice) ?? null;
  const name = modelName.trim();
  const exists = suggestions.includes(name);

  const register = async () => {
    if (!result || !candidate || !name) return;
    setBusy(true);
    setError(null);
    try {
      try {
        await createRegisteredModel(name);
      } catch (e) {
        // An existing model gets a new version (what `mlflow.register_model` does).
        if (!(e instanceof RegistryError && e.code === 'RESOURCE_ALREADY_EXISTS')) throw e;
      }
      const mv =
        candidate.kind === 'logged'
          ? await createModelVersion({
              name,
              source: `models:/${candidate.model.info.model_id}`,
              model_id: candidate.model.info.model_id,
            })
          : await createModelVersion({
              name,
              source: `${(result.run.artifact_uri ?? '').replace(/\/+$/, '')}/${candidate.path}`,
              run_id: result.run.run_id,
            });
      setDone({ name: mv.name, version: mv.version });
      onRegistered?.(mv.name, mv.version);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Dialog
        title="Model registered"
        onClose={onClose}
        footer={
          <>
            <button type="button" className="rg-button ghost" onClick={onClose}>
              Close
            </button>
            <button
              type="button"
              className="rg-button primary"
              autoFocus
              onClick={() => {
                onClose();
                navigate(versionHref(done.name, done.version));
              }}
            >
              Open version {done.version}
            </button>
          </>
        }
      >
        <p className="rg-success" role="status">
          Created version {done.version} of <strong>{done.name}</strong>.
        </p>
        <p className="muted">
          Load it with{' '}
          <code>
            models:/{done.name}/{done.version}
          </code>
          .
        </p>
      </Dialog>
    );
  }

  return (
    <Dialog
      title="Register model"
      wide
      onClose={onClose}
      footer={
        <>
          <button type="button" className="rg-button ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button
            type="submit"
            form={`${ids}-form`}
            className="rg-button primary"
            disabled={busy || !candidate || !name}
          >
            {busy ? 'Registering…' : 'Register'}
          </button>
        </>
      }
    >
      <form
        id={`${ids}-form`}
        className="rg-register"
        onSubmit={(e) => {
          e.preventDefault();
          void register();
        }}
      >
        {fixedRunId ? (
          result && (
            <p className="muted rg-register-run">
              From run <strong>{result.run.run_name || shortId(result.run.run_id)}</strong>{' '}
              <code>{shortId(result.run.run_id)}</code>
            </p>
          )
        ) : (
          <label className="rg-field">
            <span>Run ID</span>
            <input
              value={runInput}
              onChange={(e) => setRunInput(e.target.value)}
              placeholder="The ID of the run that logged the model"
              spellCheck={false}
              autoFocus
            />
            {result && (
              <span className="muted rg-hint">
                Run <strong>{result.run.run_name || shortId(result.run.run_id)}</strong>
              </span>
            )}
          </label>
        )}

        <fieldset className="rg-field">
          <legend>Model to register</legend>
          {!RUN_ID_RE.test(runId) ? (
            <p className="muted rg-placeholder">Enter a run ID to list its models.</p>
          ) : current?.error ? (
            <InlineError error={current.error} />
          ) : !result ? (
            <p className="muted rg-placeholder">Looking for models in this run…</p>
          ) : result.candidates.length === 0 ? (
            <p className="muted rg-placeholder">
              This run has no logged models and no artifact folder with an <code>MLmodel</code> file.
            </p>
          ) : (
            <ul className="rg-candidates">
              {result.candidates.map((c) => (
                <li key={c.key}>
                  <label className={`rg-candidate${choice === c.key ? ' selected' : ''}`}>
                    <input
                      type="radio"
                      name={`${ids}-candidate`}
                      value={c.key}
                      checked={choice === c.key}
                      onChange={() => setChoice(c.key)}
                    />
                    {c.kind === 'logged' ? (
                      <span className="rg-candidate-body">
                        <span className="rg-candidate-title">
                          {c.model.info.name} <span className="rg-kind">logged model</span>
                        </span>
                        <span className="muted rg-candidate-meta">
                          <code>{c.model.info.model_id}</code> · <When ms={c.model.info.creation_timestamp_ms} />
                          {registeredAs(c.model).length > 0 && <> · registered as {registeredAs(c.model).join(', ')}</>}
                        </span>
                      </span>
                    ) : (
                      <span className="rg-candidate-body">
                        <span className="rg-candidate-title">
                          {c.path} <span className="rg-kind">artifact folder</span>
                        </span>
                        <span className="muted rg-candidate-meta">
                          <code>
                            runs:/{shortId(runId)}…/{c.path}
                          </code>{' '}
                          holds an MLmodel file
                        </span>
                      </span>
                    )}
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>

        <label className="rg-field">
          <span>Registered model</span>
          <input
            aria-label="Registered model name"
            list={`${ids}-names`}
            value={modelName}
            onChange={(e) => setModelName(e.target.value)}
            placeholder="Existing model, or a name for a new one"
            spellCheck={false}
            autoFocus={!!fixedRunId}
          />
          <datalist id={`${ids}-names`}>
            {suggestions.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
          {name && (
            <span className="muted rg-hint" data-testid="register-name-hint">
              {exists ? `Adds a new version to “${name}”.` : `Creates the new model “${name}” with version 1.`}
            </span>
          )}
        </label>
        <InlineError error={error} />
      </form>
    </Dialog>
  );
}
