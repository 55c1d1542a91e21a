import type { ModelVersion, RegisteredModel } from '@contract/registry-api';
import { StageBadge, When } from './Badges';
import { Breadcrumbs } from './ModelPage';
import { EditableDescription } from './EditableDescription';
import { TagsEditor } from './TagsEditor';
import { AliasEditor } from './AliasEditor';
import { StageActions } from './StageActions';
import { SignatureCard } from './SignatureCard';
import { RunLink } from './RunLink';
import { summarizeMlmodel } from './mlmodel';
import {
  deleteModelVersionTag,
  getModelVersion,
  getRegisteredModel,
  listVersionsOf,
  readVersionFile,
  setModelVersionTag,
  updateModelVersion,
} from './registry-client';
import { canonicalStage, loggedModelIdOf } from './registry-format';
import { modelHref, modelsHref } from './registry-route';
import { useResource } from './use-resource';
import { useRefreshOnFocus } from './use-refresh-on-focus';

interface VersionData {
  version: ModelVersion;
  model: RegisteredModel;
  siblings: ModelVersion[];
}

async function loadVersion(name: string, version: string): Promise<VersionData> {
  const [mv, model, siblings] = await Promise.all([
    getModelVersion(name, version),
    getRegisteredModel(name),
    listVersionsOf(name),
  ]);
  return { version: mv, model, siblings };
}

async function loadSignature(name: string, version: string) {
  const text = await readVersionFile(name, version);
  return text === null ? null : summarizeMlmodel(text);
}

export function VersionPage({ name, version }: { name: string; version: string }) {
  const res = useResource(`version:${name}:${version}`, () => loadVersion(name, version));
  const mlmodel = useResource(`mlmodel:${name}:${version}`, () => loadSignature(name, version));
  useRefreshOnFocus(res.reload);
  const crumbs = [
    { label: 'Models', href: modelsHref },
    { label: name, href: modelHref(name) },
    { label: `Version ${version}` },
  ];

  if (!res.data) {
    return (
      <section className="rg-page">
        <header className="rg-header">
          <div className="rg-title">
            <Breadcrumbs items={crumbs} />
            <h1>
              {name} <span className="muted">v{version}</span>
            </h1>
          </div>
        </header>
        {res.error ? (
          <div className="rg-banner" role="alert">
            {res.error.message}
          </div>
        ) : (
          <div className="rg-loading">Loading…</div>
        )}
      </section>
    );
  }

  const { version: mv, model, siblings } = res.data;
  const after = async (p: Promise<unknown>) => {
    await p;
    await res.reload();
  };
  const stage = canonicalStage(mv.current_stage);
  const modelId = loggedModelIdOf(mv.source);
  const uris = [
    `models:/${mv.name}/${mv.version}`,
    ...(mv.aliases ?? []).map((a) => `models:/${mv.name}@${a}`),
    ...(stage === 'Staging' || stage === 'Production' ? [`models:/${mv.name}/${stage}`] : []),
  ];

  return (
    <section className="rg-page" aria-labelledby="rg-version-title">
      <header className="rg-header">
        <div className="rg-title">
          <Breadcrumbs items={crumbs} />
          <h1 id="rg-version-title">
            {mv.name} <span className="rg-title-version">Version {mv.version}</span>
            <StageBadge stage={mv.current_stage} />
          </h1>
          <div className="rg-meta muted">
            <span>
              Registered <When ms={mv.creation_timestamp} />
            </span>
            <span>
              Last modified <When ms={mv.last_updated_timestamp} />
            </span>
            {mv.status && mv.status !== 'READY' && <span className="rg-status-warn">{mv.status}</span>}
          </div>
        </div>
        <StageActions version={mv} siblings={siblings} onDone={res.reload} />
      </header>
      {res.error && <div className="rg-banner">{res.error.message}</div>}
      <div className="rg-scroll">
        <div className="rg-columns">
          <div className="rg-main-col">
            <section className="rg-card" aria-label="Details">
              <dl className="rg-facts wide">
                <div>
                  <dt>Source run</dt>
                  <dd data-testid="source-run">
                    <RunLink runId={mv.run_id} showId />
                  </dd>
                </div>
                {modelId && (
                  <div>
                    <dt>Logged model</dt>
                    <dd>
                      <code>{modelId}</code>
                    </dd>
                  </div>
                )}
                <div>
                  <dt>Source</dt>
                  <dd>
                    <code className="rg-break">{mv.source ?? '—'}</code>
                  </dd>
                </div>
                {mv.user_id && (
                  <div>
                    <dt>Registered by</dt>
                    <dd>{mv.user_id}</dd>
                  </div>
                )}
                <div>
                  <dt>Load with</dt>
                  <dd className="rg-uris">
                    {uris.map((u) => (
                      <code key={u}>{u}</code>
                    ))}
                  </dd>
                </div>
              </dl>
            </section>
            <EditableDescription
              value={mv.description ?? ''}
              save={(d) => after(updateModelVersion(mv.name, mv.version, d))}
            />
            <SignatureCard
              summary={mlmodel.data}
              loading={mlmodel.loading}
              error={mlmodel.error ? mlmodel.error.message : null}
            />
          </div>
          <aside className="rg-side-col">
            <AliasEditor
              name={mv.name}
              version={mv.version}
              aliases={mv.aliases ?? []}
              modelAliases={model.aliases ?? []}
              onChange={res.reload}
            />
            <TagsEditor
              tags={mv.tags}
              setTag={(k, v) => after(setModelVersionTag(mv.name, mv.version, k, v))}
              deleteTag={(k) => after(deleteModelVersionTag(mv.name, mv.version, k))}
            />
          </aside>
        </div>
      </div>
    </section>
  );
}
