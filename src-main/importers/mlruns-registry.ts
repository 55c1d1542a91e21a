import { join } from 'node:path';
import { rerootMlrunsLocation } from './artifact-locations';
import { int, readMetaFile as readMeta, str } from './meta-yaml';
import { listDir, readKeyValues, readText, walkFiles, type IssueFn } from './safe-fs';
import type { SourceItem, SourceModelVersion } from './source-items';

/**
 * The FileStore model registry (mlflow/store/model_registry/file_store.py):
 *   models/<name>/meta.yaml, tags/<key>, aliases/<alias> (file content: the version number),
 *   models/<name>/version-<n>/meta.yaml, version-<n>/tags/<key>
 * A deleted version keeps its folder with current_stage `Deleted_Internal`.
 */
export function* readMlrunsRegistry(root: string, issue: IssueFn): Generator<SourceItem> {
  const models = listDir(join(root, 'models'), issue, { missingOk: true }) ?? [];
  for (const m of models) {
    if (!m.isDir) continue;
    const meta = readMeta(join(m.path, 'meta.yaml'), issue);
    if (!meta) continue;
    const name = str(meta.name) ?? m.name;
    const aliases: { alias: string; version: number }[] = [];
    for (const a of walkFiles(join(m.path, 'aliases'), issue)) {
      const text = readText(a.path, issue);
      const version = text === null ? null : int(text.trim());
      if (version === null) {
        if (text !== null) issue(a.path, 'alias file does not hold a version number: skipped');
        continue;
      }
      aliases.push({ alias: a.rel, version });
    }
    const versions: SourceModelVersion[] = [];
    for (const v of listDir(m.path, issue) ?? []) {
      if (!v.isDir || !v.name.startsWith('version-')) continue;
      const vm = readMeta(join(v.path, 'meta.yaml'), issue);
      if (!vm) continue;
      const version = int(vm.version) ?? int(v.name.slice('version-'.length));
      if (version === null) {
        issue(join(v.path, 'meta.yaml'), 'model version without a version number: skipped');
        continue;
      }
      const storage = str(vm.storage_location);
      const source = str(vm.source);
      versions.push({
        version,
        creationTime: int(vm.creation_timestamp),
        lastUpdatedTime: int(vm.last_updated_timestamp),
        description: str(vm.description),
        userId: str(vm.user_id),
        currentStage: str(vm.current_stage) ?? 'None',
        source: source === null ? null : rerootMlrunsLocation(source, root, null).uri,
        storageLocation: storage === null ? null : rerootMlrunsLocation(storage, root, null).uri,
        runId: str(vm.run_id),
        runLink: str(vm.run_link),
        status: str(vm.status) ?? 'READY',
        statusMessage: str(vm.status_message),
        modelId: str(vm.model_id) ?? modelIdFromSource(source),
        tags: readKeyValues(join(v.path, 'tags'), issue),
      });
    }
    versions.sort((a, b) => a.version - b.version);
    yield {
      kind: 'registered-model',
      name,
      creationTime: int(meta.creation_timestamp),
      lastUpdatedTime: int(meta.last_updated_timestamp),
      description: str(meta.description),
      tags: readKeyValues(join(m.path, 'tags'), issue),
      aliases,
      versions,
    };
  }
}

/** MLflow 3 registers logged models with source `models:/<model_id>`. */
export function modelIdFromSource(source: string | null): string | null {
  const m = /^models:\/(m-[0-9a-f]+)$/.exec(source ?? '');
  return m ? m[1]! : null;
}
