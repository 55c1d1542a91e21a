import type { MlmodelSummary, SignatureField } from './mlmodel';

function FieldsTable({ title, fields, params = false }: { title: string; fields: SignatureField[]; params?: boolean }) {
  return (
    <div className="rg-signature-part">
      <h3>
        {title} <span className="muted">{fields.length}</span>
      </h3>
      <table className="rg-table compact rg-signature-table" aria-label={`Signature ${title.toLowerCase()}`}>
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            {params ? <th>Default</th> : <th>Required</th>}
          </tr>
        </thead>
        <tbody>
          {fields.map((f, i) => (
            <tr key={i}>
              <td>{f.name ?? <span className="muted">(unnamed)</span>}</td>
              <td>
                <code className="rg-type">{f.type}</code>
                {f.shape && <span className="muted"> shape {f.shape}</span>}
              </td>
              {params ? (
                <td>
                  <code>{f.defaultValue}</code>
                </td>
              ) : (
                <td>{f.required ? 'yes' : <span className="muted">optional</span>}</td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The version's signature (from its `MLmodel`), with flavors and MLflow version. */
export function SignatureCard({
  summary,
  loading,
  error,
}: {
  summary: MlmodelSummary | null | undefined;
  loading: boolean;
  error: string | null;
}) {
  let body;
  if (error) body = <p className="rg-inline-error">{error}</p>;
  else if (loading && summary === undefined) body = <p className="muted rg-placeholder">Reading MLmodel…</p>;
  else if (!summary) body = <p className="muted rg-placeholder">This version has no MLmodel file.</p>;
  else {
    const sig = summary.signature;
    body = (
      <>
        <div className="rg-mlmodel-meta">
          {summary.flavors.length > 0 && (
            <span className="rg-chips" aria-label="Flavors">
              {summary.flavors.map((f) => (
                <span key={f} className="rg-flavor">
                  {f}
                </span>
              ))}
            </span>
          )}
          {summary.mlflowVersion && <span className="muted">MLflow {summary.mlflowVersion}</span>}
        </div>
        {summary.signatureError ? (
          <p className="rg-inline-error">{summary.signatureError}</p>
        ) : !sig || (!sig.inputs && !sig.outputs && !sig.params) ? (
          <p className="muted rg-placeholder">No signature was logged with this model.</p>
        ) : (
          <div className="rg-signature">
            {sig.inputs && <FieldsTable title="Inputs" fields={sig.inputs} />}
            {sig.outputs && <FieldsTable title="Outputs" fields={sig.outputs} />}
            {sig.params && <FieldsTable title="Params" fields={sig.params} params />}
          </div>
        )}
      </>
    );
  }
  return (
    <section className="rg-card" aria-label="Signature">
      <header className="rg-card-head">
        <h2>Signature</h2>
      </header>
      {body}
    </section>
  );
}
