import { useState } from 'react';
import { RegisterModelDialog } from './RegisterModelDialog';
import './registry.css';

export interface RegisterModelButtonProps {
  /** The run whose model is registered; without it the dialog asks for a run ID. */
  runId?: string;
  /** Preselect an artifact folder of the run holding an `MLmodel` (e.g. `model`). */
  artifactPath?: string;
  /** Preselect an MLflow 3 logged model of the run (`m-…`). */
  modelId?: string;
  label?: string;
  /** Prefill the registered model name (e.g. on a model's own page). */
  defaultModelName?: string;
  /** Called after a version was created. */
  onRegistered?: (name: string, version: string) => void;
  className?: string;
}

/**
 * "Register model": opens a dialog to register a logged model or model artifact folder of a run
 * as a new version of a new or existing registered model. Mountable anywhere (run page, models).
 */
export function RegisterModelButton({
  label = 'Register model',
  className = 'rg-button primary',
  ...props
}: RegisterModelButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className={className} onClick={() => setOpen(true)}>
        {label}
      </button>
      {open && <RegisterModelDialog {...props} onClose={() => setOpen(false)} />}
    </>
  );
}
