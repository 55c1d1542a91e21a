import type { ModelVersion, RegisteredModel } from '@contract/registry-api';
import { AliasChip, When } from './Badges';
import { EditableDescription } from './EditableDescription';
import { TagsEditor } from './TagsEditor';
import { VersionsTable } from './VersionsTable';
import { RegisterModelButton } from './RegisterModelButton';
import {
  deleteRegisteredModelTag,
  getRegisteredModel,
  listVersionsOf,
  setRegisteredModelTag,
  updateRegisteredModel,
} from './registry-client';
import { latestByStage } from './registry-format';
import { modelsHref, versionHref } from './registry-route';
import { useResource } from './use-resource';
import { useRefreshOnFocus } from './use-refresh-on-focus';

interface ModelData {
  model: RegisteredModel;
  versions: ModelVersion[];
}

async function loadModel(name: string): Promise<ModelData> {
  const [model, versions] = await Promise.all([getRegisteredModel(name), listVersionsOf(name)]);
  // Like MLflow's, the version search leaves `aliases` out: they come from the model.
  const byVersion = new Map<string, string[]>();
  for (const a of model.aliases ?? []) byVersion.set(a.version, [...(byVersion.get(a.version) ?? []), a.alias]);
  return { model, versions: versions.map((v) => ({ ...v, aliases: byVersion.get(v.version) ?? v.aliases ?? [] })) };
}

export function Breadcrumbs({ items }: { items: { label: string; href?: string }[] }) {
  return (
    <nav className="rg-breadcrumbs" aria-label="Breadcrumb">
      {items.map((item, i) => (
        <span key={i}>
          {i > 0 && <span className="rg-crumb-sep">/</span>}
          {item.href ? <a href={item.href}>{item.label}</a> : <span aria-current="page">{item.label}</span>}
        </span>
      ))}
    </nav>
  );
}

export function ModelPage({ name }: { name: string }) {
  const res = useResource(`model:${name}`, () => loadModel(name));
  useRefreshOnFocus(res.reload);
  const data = res.data;

  if (!data) {
    return (
      <section className="rg-page">
        <header className="rg-header">
          <div className="rg-title">
            <Breadcrumbs items={[{ label: 'Models', href: modelsHref }, { label: name }]} />
            <h1>{name}</h1>
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

  const { model, versions } = data;
  const after = async (p: Promise<unknown>) => {
    await p;
    await res.reload();
  };
  const latest = latestByStage(model);

  return (
    <section className="rg-page" aria-labelledby="rg-model-title">
      <header className="rg-header">
        <div className="rg-title">
          <Breadcrumbs items={[{ label: 'Models', href: modelsHref }, { label: model.name }]} />
          <h1 id="rg-model-title">{model.name}</h1>
          <div className="rg-meta muted">
            <span>
              {versions.length} version{versions.length === 1 ? '' : 's'}
            </span>
            <span>
              Created <When ms={model.creation_timestamp} />
            </span>
            <span>
              Last modified <When ms={model.last_updated_timestamp} />
            </span>
            {model.user_id && <span>by {model.user_id}</span>}
          </div>
        </div>
        <RegisterModelButton label="Register a version" defaultModelName={model.name} onRegistered={res.reload} />
      </header>
      {res.error && <div className="rg-banner">{res.error.message}</div>}
      <div className="rg-scroll">
        <div className="rg-columns">
          <div className="rg-main-col">
            <EditableDescription
              value={model.description ?? ''}
              save={(d) => after(updateRegisteredModel(model.name, d))}
            />
            <section className="rg-card flush" aria-label="Versions">
              <header className="rg-card-head">
                <h2>Versions</h2>
                <span className="muted">{versions.length}</span>
              </header>
              <VersionsTable versions={versions} />
            </section>
          </div>
          <aside className="rg-side-col">
            <section className="rg-card" aria-label="Aliases">
              <header className="rg-card-head">
                <h2>Aliases</h2>
              </header>
              {model.aliases?.length ? (
                <ul className="rg-alias-list">
                  {model.aliases.map((a) => (
                    <li key={a.alias}>
                      <AliasChip alias={a.alias} model={model.name} version={a.version} />
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted rg-placeholder">No aliases. Set one on a version page.</p>
              )}
            </section>
            {latest.length > 0 && (
              <section className="rg-card" aria-label="Latest per stage">
                <header className="rg-card-head">
                  <h2>Latest per stage</h2>
                </header>
                <dl className="rg-facts">
                  {latest.map(({ stage, version }) => (
                    <div key={stage}>
                      <dt>{stage === 'None' ? 'No stage' : stage}</dt>
                      <dd>
                        <a href={versionHref(model.name, version.version)}>Version {version.version}</a>
                      </dd>
                    </div>
                  ))}
                </dl>
              </section>
            )}
            <TagsEditor
              tags={model.tags}
              setTag={(k, v) => after(setRegisteredModelTag(model.name, k, v))}
              deleteTag={(k) => after(deleteRegisteredModelTag(model.name, k))}
            />
          </aside>
        </div>
      </div>
    </section>
  );
}
