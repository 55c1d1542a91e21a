import { useApp } from '../state/app-store';
import { CopyButton } from './CopyButton';

/** No runs yet: the one line to add to a script, and a tiny example. */
export function EmptyState({ experimentName }: { experimentName: string | null }) {
  const trackingUri = useApp((s) => s.info?.trackingUri ?? window.location.origin);
  const exportLine = `export MLFLOW_TRACKING_URI=${trackingUri}`;
  const named = experimentName && experimentName !== 'Default' ? experimentName : 'my-experiment';
  const example = [
    'import mlflow',
    '',
    `mlflow.set_experiment(${JSON.stringify(named)})`,
    'with mlflow.start_run():',
    '    mlflow.log_param("lr", 0.01)',
    '    for step in range(10):',
    '        mlflow.log_metric("loss", 1 / (step + 1), step=step)',
  ].join('\n');
  return (
    <div className="empty-state">
      <div className="empty-card">
        <h2>{experimentName ? `No runs in “${experimentName}” yet` : 'No experiments yet'}</h2>
        <p className="muted">
          Runlens speaks the MLflow Tracking API. Point any unchanged MLflow script here and its runs appear in this
          window as they are logged.
        </p>
        <ol className="steps">
          <li>
            <span className="step-label">Add this line to your shell or script environment</span>
            <div className="code-line">
              <code data-testid="export-line">{exportLine}</code>
              <CopyButton text={exportLine} />
            </div>
          </li>
          <li>
            <span className="step-label">Run your training script as usual, for example</span>
            <div className="code-block">
              <pre>
                <code>{example}</code>
              </pre>
              <CopyButton text={example} />
            </div>
          </li>
        </ol>
      </div>
    </div>
  );
}
