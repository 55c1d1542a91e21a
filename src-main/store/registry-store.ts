import type { Db } from './db';
import { MlflowError, alreadyExists, invalidParam, notFound } from '../core/errors';
import {
  ALL_STAGES,
  STAGE_DELETED_INTERNAL,
  STAGE_NONE,
  type ImportCounts,
  type ModelVersion,
  type ModelVersionRecord,
  type ModelVersionStatus,
  type RegisteredModel,
  type RegisteredModelRecord,
  type RegistryTag,
} from '../registry/entities';
import {
  IS_PROMPT_TAG_KEY,
  createPageToken,
  isQueryingPrompts,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parsePageToken,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
} from '../registry/filter-parser';
import { pyTuple } from '../registry/py-format';
import { registryStatements, type MvRow, type NamedMvRow, type RmRow, type TagRow } from './registry-statements';
import { matchInteger, matchTags, matchText, paginate, sortRows } from './registry-search';

export interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}

export interface CreateModelVersionInput {
  name: string;
  source: string;
  /** Where the artifacts live when `source` is indirect (`models:/...`); defaults to `source`. */
  storageLocation: string | null;
  runId: string | null;
  runLink: string | null;
  description: string | null;
  tags: readonly RegistryTag[];
  modelId: string | null;
}

export type RegistryChange =
  | { kind: 'registered_model'; name: string }
  | { kind: 'registered_model_renamed'; name: string; newName: string }
  | { kind: 'registered_model_deleted'; name: string }
  | { kind: 'model_version'; name: string; version: string };

const CANONICAL_STAGES = new Map<string, string>([...ALL_STAGES.map((s) => [s.toLowerCase(), s] as [string, string])]);

/** `get_canonical_stage`: case-insensitive stage names, MLflow's message for anything else. */
export function canonicalStage(stage: string): string {
  const c = CANONICAL_STAGES.get(stage.toLowerCase());
  if (!c) {
    throw invalidParam(`Invalid Model Version stage: ${stage}. Value must be one of ${ALL_STAGES.join(', ')}.`);
  }
  return c;
}

/**
 * A version string as MLflow's SQL store matches it: `int(version)` must succeed (else MLflow's
 * message), then SQLite compares the text against the INTEGER column, which only matches plain
 * integer text (`" 2 "`, `"+2"`, `"02"` do; `"2_0"` passes int() but matches nothing).
 */
export function parseVersion(version: string | null | undefined): number {
  const v = version ?? '';
  if (!/^\s*[-+]?\d+(_\d+)*\s*$/.test(v)) {
    throw invalidParam(`Parameter 'version' must be an integer, got '${v}'.`);
  }
  return v.includes('_') ? NaN : Number(v.trim());
}

const rmNotFound = (name: string): MlflowError => notFound(`Registered Model with name=${name} not found`);
const mvNotFound = (name: string, version: string | number): MlflowError =>
  notFound(`Model Version (name=${name}, version=${version}) not found`);

/**
 * The model registry (MLflow's SqlAlchemyStore for registered models, versions, tags and aliases).
 * Request validation (names, tags, alias rules, sources) happens in `registry/`; this layer keeps
 * MLflow's state rules and response shapes, and offers idempotent import for the importers.
 */
export class RegistryStore {
  readonly db: Db;
  private readonly s;
  private listeners = new Set<(c: RegistryChange) => void>();

  constructor(db: Db) {
    this.db = db;
    this.s = registryStatements(db);
  }

  /**
   * Write transactions start IMMEDIATE: a deferred transaction that reads and then writes fails
   * at once with SQLITE_BUSY while another connection (an import worker) holds the write lock,
   * whereas BEGIN IMMEDIATE waits for it under busy_timeout.
   */
  private tx<T>(fn: () => T): () => T {
    const t = this.db.transaction(fn);
    return () => t.immediate();
  }

  onChange(listener: (c: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: RegistryChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A broken listener must never fail a committed write.
      }
    }
  }

  // ------------------------------------------------------------------ assembly

  private rmRow(name: string): RmRow {
    const row = this.s.rmByName.get(name);
    if (!row) throw rmNotFound(name);
    return row;
  }

  /** An active (not deleted) version; MLflow's 404 otherwise. */
  private mvRow(rm: RmRow, version: string): MvRow {
    const n = parseVersion(version);
    const row = Number.isNaN(n) ? undefined : this.s.mvActive.get(rm.rm_pk, n);
    if (!row) throw mvNotFound(rm.name, version);
    return row;
  }

  private toModelVersion(name: string, row: MvRow, tags: readonly TagRow[], aliases: string[] | null): ModelVersion {
    const mv: ModelVersion = { name, version: String(row.version) };
    if (row.creation_time !== null) mv.creation_timestamp = row.creation_time;
    if (row.last_updated_time !== null) mv.last_updated_timestamp = row.last_updated_time;
    if (row.user_id !== null) mv.user_id = row.user_id;
    mv.current_stage = row.current_stage;
    if (row.description !== null) mv.description = row.description;
    if (row.source !== null) mv.source = row.source;
    if (row.run_id !== null) mv.run_id = row.run_id;
    mv.status = row.status as ModelVersionStatus;
    if (row.status_message) mv.status_message = row.status_message;
    if (tags.length) mv.tags = tags.map(toTag);
    if (row.run_link !== null) mv.run_link = row.run_link;
    if (aliases && aliases.length) mv.aliases = aliases;
    return mv;
  }

  private versionAliases(rm: RmRow, version: number): string[] {
    return this.s.aliases
      .all(rm.rm_pk)
      .filter((a) => a.version === version)
      .map((a) => a.alias);
  }

  /** A version as get/create/update return it: tags and the aliases pointing at it. */
  private fullVersion(rm: RmRow, row: MvRow): ModelVersion {
    return this.toModelVersion(
      rm.name,
      row,
      this.s.mvTags.all(rm.rm_pk, row.version),
      this.versionAliases(rm, row.version),
    );
  }

  /**
   * Latest version per stage, in MLflow's order: versions are walked oldest first and each stage
   * keeps the position where it was first seen (a dict keyed by stage).
   */
  private latestPerStage(rm: RmRow): MvRow[] {
    const latest = new Map<string, MvRow>();
    for (const mv of this.s.mvsOfModel.all(rm.rm_pk)) {
      if (mv.current_stage === STAGE_DELETED_INTERNAL) continue;
      const cur = latest.get(mv.current_stage);
      if (!cur || cur.version < mv.version) latest.set(mv.current_stage, mv);
    }
    return [...latest.values()];
  }

  private toRegisteredModel(rm: RmRow, tags?: readonly TagRow[]): RegisteredModel {
    const out: RegisteredModel = { name: rm.name };
    if (rm.creation_time !== null) out.creation_timestamp = rm.creation_time;
    if (rm.last_updated_time) out.last_updated_timestamp = rm.last_updated_time;
    if (rm.description) out.description = rm.description;
    const latest = this.latestPerStage(rm);
    if (latest.length) {
      const tagsByVersion = new Map<number, TagRow[]>();
      for (const t of this.s.mvTagsOfModel.all(rm.rm_pk)) {
        const list = tagsByVersion.get(t.version) ?? [];
        list.push(t);
        tagsByVersion.set(t.version, list);
      }
      // MLflow leaves `aliases` empty on the versions nested in a registered model.
      out.latest_versions = latest.map((mv) =>
        this.toModelVersion(rm.name, mv, tagsByVersion.get(mv.version) ?? [], null),
      );
    }
    const t = tags ?? this.s.rmTags.all(rm.rm_pk);
    if (t.length) out.tags = t.map(toTag);
    const aliases = this.s.aliases.all(rm.rm_pk);
    if (aliases.length) out.aliases = aliases.map((a) => ({ alias: a.alias, version: String(a.version) }));
    return out;
  }

  // ------------------------------------------------------------------ registered models

  createRegisteredModel(name: string, tags: readonly RegistryTag[], description: string | null): RegisteredModel {
    const rm = this.tx(() => {
      const existing = this.s.rmByName.get(name);
      if (existing) {
        const existingIsPrompt = this.s.rmTags.all(existing.rm_pk).some((t) => t.key === IS_PROMPT_TAG_KEY);
        const newIsPrompt = tags.some((t) => t.key === IS_PROMPT_TAG_KEY);
        const oldEntity = existingIsPrompt ? 'Prompt' : 'Registered Model';
        const newEntity = newIsPrompt ? 'Prompt' : 'Registered Model';
        if (oldEntity !== newEntity) {
          throw alreadyExists(
            `Tried to create a ${newEntity.toLowerCase()} with name '${name}', but the name is already taken by a ` +
              `${oldEntity.toLowerCase()}. MLflow does not allow creating a model and a prompt with the same name.`,
          );
        }
        throw alreadyExists(`${newEntity} (name=${name}) already exists.`);
      }
      const now = Date.now();
      const pk = Number(this.s.rmInsert.run(name, now, now, description).lastInsertRowid);
      for (const t of tags) this.s.rmTagUpsert.run(pk, t.key, t.value ?? null);
      return this.s.rmByPk.get(pk)!;
    })();
    this.emit({ kind: 'registered_model', name });
    return this.toRegisteredModel(rm);
  }

  getRegisteredModel(name: string): RegisteredModel {
    return this.toRegisteredModel(this.rmRow(name));
  }

  /** Whether the registered model is a prompt (MLflow 3 stores prompts as tagged models). */
  isPrompt(name: string): boolean {
    const rm = this.s.rmByName.get(name);
    return !!rm && this.s.rmTags.all(rm.rm_pk).some((t) => t.key === IS_PROMPT_TAG_KEY && t.value === 'true');
  }

  renameRegisteredModel(name: string, newName: string): RegisteredModel {
    const rm = this.tx(() => {
      const row = this.rmRow(name);
      const clash = this.s.rmByName.get(newName);
      if (clash && clash.rm_pk !== row.rm_pk) {
        // MLflow passes SQLAlchemy's IntegrityError text through; reproduced for the SQLite backend.
        throw alreadyExists(
          `Registered Model (name=${newName}) already exists. Error: (raised as a result of Query-invoked ` +
            'autoflush; consider using a session.no_autoflush block if this flush is occurring prematurely)\n' +
            '(sqlite3.IntegrityError) UNIQUE constraint failed: registered_models.name\n' +
            '[SQL: UPDATE registered_models SET name=? WHERE registered_models.name = ?]\n' +
            `[parameters: ${pyTuple([newName, name])}]\n` +
            '(Background on this error at: https://sqlalche.me/e/14/gkpj)',
        );
      }
      const now = Date.now();
      this.s.rmRename.run(newName, now, row.rm_pk);
      this.s.mvTouchModel.run(now, row.rm_pk);
      return this.s.rmByPk.get(row.rm_pk)!;
    })();
    this.emit({ kind: 'registered_model_renamed', name, newName });
    return this.toRegisteredModel(rm);
  }

  updateRegisteredModel(name: string, description: string | null): RegisteredModel {
    const rm = this.tx(() => {
      const row = this.rmRow(name);
      this.s.rmSetDescription.run(description, Date.now(), row.rm_pk);
      return this.s.rmByPk.get(row.rm_pk)!;
    })();
    this.emit({ kind: 'registered_model', name });
    return this.toRegisteredModel(rm);
  }

  /** Deletes the model with all its versions (deleted ones too), tags and aliases. */
  deleteRegisteredModel(name: string): void {
    this.tx(() => {
      this.s.rmDelete.run(this.rmRow(name).rm_pk);
    })();
    this.emit({ kind: 'registered_model_deleted', name });
  }

  setRegisteredModelTag(name: string, key: string, value: string): void {
    this.tx(() => {
      this.s.rmTagUpsert.run(this.rmRow(name).rm_pk, key, value);
    })();
    this.emit({ kind: 'registered_model', name });
  }

  deleteRegisteredModelTag(name: string, key: string): void {
    this.tx(() => {
      this.s.rmTagDelete.run(this.rmRow(name).rm_pk, key);
    })();
    this.emit({ kind: 'registered_model', name });
  }

  /**
   * `search_registered_models`: `filter` on name / tags, `order_by` name or last-updated time,
   * offset page tokens. Prompts are hidden unless the filter asks for them.
   */
  searchRegisteredModels(q: {
    filter?: string | null;
    maxResults?: number;
    orderBy?: readonly string[];
    pageToken?: string | null;
  }): Page<RegisteredModel> {
    const maxResults = q.maxResults ?? 100;
    if (maxResults > 1000) {
      throw invalidParam(
        `Invalid value for request parameter max_results. It must be at most 1000, but got value ${maxResults}`,
      );
    }
    const clauses = parseRegisteredModelFilter(q.filter);
    const sortKeys = parseRegisteredModelOrderBy(q.orderBy ?? []);
    const offset = parsePageToken(q.pageToken);
    const prompts = isQueryingPrompts(clauses);

    const tagsByModel = new Map<number, TagRow[]>();
    for (const t of this.s.rmTagsAll.all()) {
      const list = tagsByModel.get(t.rm_pk) ?? [];
      list.push({ key: t.key, value: t.value });
      tagsByModel.set(t.rm_pk, list);
    }
    const rows = this.s.rmAll.all().filter((rm) => {
      const tagRows = tagsByModel.get(rm.rm_pk) ?? [];
      const tags = new Map(tagRows.map((t) => [t.key, t.value]));
      if (!prompts && tagRows.some((t) => t.key === IS_PROMPT_TAG_KEY && t.value === 'true')) return false;
      for (const c of clauses) {
        if (c.type === 'attribute' && !matchText(rm.name, c.comparator, c.value)) return false;
      }
      return matchTags(tags, clauses, prompts);
    });
    sortRows(rows, sortKeys, (rm, f) => (f === 'name' ? rm.name : rm.last_updated_time));
    const page = paginate(rows, maxResults, offset, !!q.pageToken, createPageToken);
    return {
      items: page.items.map((rm) => this.toRegisteredModel(rm, tagsByModel.get(rm.rm_pk) ?? [])),
      nextPageToken: page.nextPageToken,
    };
  }

  /** `get_latest_versions`: the latest version in each requested stage (all stages if none). */
  getLatestVersions(name: string, stages: readonly string[] | null): ModelVersion[] {
    const rm = this.rmRow(name);
    const latest = this.latestPerStage(rm);
    const wanted = new Set((stages && stages.length ? stages : ALL_STAGES).map(canonicalStage));
    return latest.filter((mv) => wanted.has(mv.current_stage)).map((mv) => this.fullVersion(rm, mv));
  }

  // ------------------------------------------------------------------ model versions

  createModelVersion(input: CreateModelVersionInput): ModelVersion {
    const { rm, row } = this.tx(() => {
      const rm = this.rmRow(input.name);
      const now = Date.now();
      this.s.rmTouch.run(now, rm.rm_pk);
      const version = (this.s.mvMaxVersion.get(rm.rm_pk)?.max ?? 0) + 1;
      this.s.mvInsert.run({
        rm_pk: rm.rm_pk,
        version,
        creation_time: now,
        last_updated_time: now,
        description: input.description,
        user_id: null,
        current_stage: STAGE_NONE,
        source: input.source,
        storage_location: input.storageLocation ?? input.source,
        run_id: input.runId,
        run_link: input.runLink,
        status: 'READY',
        status_message: null,
        model_id: input.modelId,
      });
      for (const t of input.tags) this.s.mvTagUpsert.run(rm.rm_pk, version, t.key, t.value ?? null);
      return { rm: this.s.rmByPk.get(rm.rm_pk)!, row: this.s.mv.get(rm.rm_pk, version)! };
    })();
    this.emit({ kind: 'model_version', name: rm.name, version: String(row.version) });
    return this.fullVersion(rm, row);
  }

  getModelVersion(name: string, version: string): ModelVersion {
    const { rm, row } = this.activeVersion(name, version);
    return this.fullVersion(rm, row);
  }

  /**
   * MLflow looks a version up by (name, version) directly, so a missing model reads as a missing
   * version: "Model Version (name=x, version=1) not found".
   */
  private rmRowForVersion(name: string, version: string): RmRow {
    const rm = this.s.rmByName.get(name);
    if (!rm) {
      parseVersion(version);
      throw mvNotFound(name, version);
    }
    return rm;
  }

  private activeVersion(name: string, version: string): { rm: RmRow; row: MvRow } {
    const rm = this.rmRowForVersion(name, version);
    return { rm, row: this.mvRow(rm, version) };
  }

  updateModelVersion(name: string, version: string, description: string | null): ModelVersion {
    const { rm, row } = this.tx(() => {
      const { rm, row } = this.activeVersion(name, version);
      this.s.mvSetDescription.run(description, Date.now(), rm.rm_pk, row.version);
      return { rm, row: this.s.mv.get(rm.rm_pk, row.version)! };
    })();
    this.emit({ kind: 'model_version', name, version: String(row.version) });
    return this.fullVersion(rm, row);
  }

  /**
   * `transition_model_version_stage`. With `archiveExisting`, the other versions in the target
   * stage move to Archived first (only allowed for Staging/Production).
   */
  transitionModelVersionStage(name: string, version: string, stage: string, archiveExisting: boolean): ModelVersion {
    const target = canonicalStage(stage);
    if (archiveExisting && target !== 'Staging' && target !== 'Production') {
      // MLflow raises this without an error code (HTTP 500); a client mistake is a 400 here.
      throw invalidParam(
        'Model version transition cannot archive existing model versions because ' +
          `'${stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`,
      );
    }
    const { rm, row } = this.tx(() => {
      const rm = this.rmRowForVersion(name, version);
      const now = Date.now();
      const n = parseVersion(version);
      if (archiveExisting) this.s.mvArchiveOthers.run(now, rm.rm_pk, Number.isNaN(n) ? -1 : n, target);
      const row = this.mvRow(rm, version);
      this.s.mvSetStage.run(target, now, rm.rm_pk, row.version);
      this.s.rmTouch.run(now, rm.rm_pk);
      return { rm: this.s.rmByPk.get(rm.rm_pk)!, row: this.s.mv.get(rm.rm_pk, row.version)! };
    })();
    this.emit({ kind: 'model_version', name, version: String(row.version) });
    return this.fullVersion(rm, row);
  }

  /**
   * `delete_model_version`: the row stays as `Deleted_Internal` with its fields redacted. MLflow
   * means to drop the aliases pointing at it but compares the request's version string with the
   * stored integer, so over REST they survive (and then resolve to "not found"); kept as is.
   */
  deleteModelVersion(name: string, version: string): void {
    this.tx(() => {
      const { rm, row } = this.activeVersion(name, version);
      const now = Date.now();
      this.s.rmTouch.run(now, rm.rm_pk);
      this.s.mvRedact.run(now, rm.rm_pk, row.version);
    })();
    this.emit({ kind: 'model_version', name, version });
  }

  /** `get_model_version_download_uri`: where the version's files are (`storage_location` or `source`). */
  getModelVersionDownloadUri(name: string, version: string): string {
    const { row } = this.activeVersion(name, version);
    return row.storage_location || row.source || '';
  }

  /** The logged model a version was registered from (MLflow 3), when known. */
  getModelVersionModelId(name: string, version: string): string | null {
    return this.activeVersion(name, version).row.model_id;
  }

  setModelVersionTag(name: string, version: string, key: string, value: string): void {
    this.tx(() => {
      const { rm, row } = this.activeVersion(name, version);
      this.s.mvTagUpsert.run(rm.rm_pk, row.version, key, value);
    })();
    this.emit({ kind: 'model_version', name, version });
  }

  deleteModelVersionTag(name: string, version: string, key: string): void {
    this.tx(() => {
      const { rm, row } = this.activeVersion(name, version);
      this.s.mvTagDelete.run(rm.rm_pk, row.version, key);
    })();
    this.emit({ kind: 'model_version', name, version });
  }

  /**
   * `search_model_versions`: filter on name, version_number, run_id (incl. IN), source_path and
   * tags; default order last_updated DESC, name ASC, version DESC. Aliases are not filled in.
   */
  searchModelVersions(q: {
    filter?: string | null;
    maxResults?: number;
    orderBy?: readonly string[] | null;
    pageToken?: string | null;
  }): Page<ModelVersion> {
    const maxResults = q.maxResults ?? 10000;
    if (!Number.isInteger(maxResults) || maxResults < 1) {
      throw invalidParam(`Invalid value for max_results. It must be a positive integer, but got ${maxResults}`);
    }
    if (maxResults > 200_000) {
      throw invalidParam(
        `Invalid value for request parameter max_results. It must be at most 200000, but got value ${maxResults}`,
      );
    }
    const clauses = parseModelVersionFilter(q.filter);
    const sortKeys = parseModelVersionOrderBy(q.orderBy ?? null);
    const offset = parsePageToken(q.pageToken);
    const prompts = isQueryingPrompts(clauses);

    // Narrow the scan with an index when the filter pins a model name or a run id.
    const byName = clauses.find((c) => c.type === 'attribute' && c.key === 'name' && c.comparator === '=');
    const byRun = clauses.find((c) => c.type === 'attribute' && c.key === 'run_id' && c.comparator === '=');
    const candidates: NamedMvRow[] =
      byName && typeof byName.value === 'string'
        ? this.s.mvSearchByModel.all(byName.value)
        : byRun && typeof byRun.value === 'string'
          ? this.s.mvSearchByRun.all(byRun.value)
          : this.s.mvSearchAll.all();

    const hidden = prompts ? new Set<number>() : new Set(this.s.promptModelsByVersionTag.all().map((r) => r.rm_pk));
    const tagsOf = new Map<string, TagRow[]>();
    const addTag = (rmPk: number, version: number, t: TagRow): void => {
      const k = `${rmPk}/${version}`;
      const list = tagsOf.get(k) ?? [];
      list.push({ key: t.key, value: t.value });
      tagsOf.set(k, list);
    };
    const models = new Set(candidates.map((r) => r.rm_pk));
    if (models.size === 1) {
      const pk = candidates[0]!.rm_pk;
      for (const t of this.s.mvTagsOfModel.all(pk)) addTag(pk, t.version, t);
    } else if (candidates.length <= 64) {
      for (const r of candidates) for (const t of this.s.mvTags.all(r.rm_pk, r.version)) addTag(r.rm_pk, r.version, t);
    } else if (candidates.length) {
      for (const t of this.s.mvTagsAll.all()) addTag(t.rm_pk, t.version, t);
    }
    const rows = candidates.filter((mv) => {
      if (hidden.has(mv.rm_pk)) return false;
      for (const c of clauses) {
        if (c.type !== 'attribute') continue;
        const ok =
          c.key === 'version_number'
            ? matchInteger(mv.version, c.comparator, c.value)
            : matchText(c.key === 'name' ? mv.name : c.key === 'run_id' ? mv.run_id : mv.source, c.comparator, c.value);
        if (!ok) return false;
      }
      const tags = tagsOf.get(`${mv.rm_pk}/${mv.version}`) ?? [];
      return matchTags(new Map(tags.map((t) => [t.key, t.value])), clauses, prompts);
    });
    sortRows(rows, sortKeys, (mv, f) => (f === 'name' ? mv.name : f === 'version' ? mv.version : mv[f]));
    const page = paginate(rows, maxResults, offset, !!q.pageToken, createPageToken);
    return {
      items: page.items.map((mv) =>
        this.toModelVersion(mv.name, mv, tagsOf.get(`${mv.rm_pk}/${mv.version}`) ?? [], null),
      ),
      nextPageToken: page.nextPageToken,
    };
  }

  // ------------------------------------------------------------------ aliases

  setRegisteredModelAlias(name: string, alias: string, version: string): void {
    this.tx(() => {
      const { rm, row } = this.activeVersion(name, version);
      this.s.aliasUpsert.run(rm.rm_pk, alias, row.version);
    })();
    this.emit({ kind: 'registered_model', name });
  }

  deleteRegisteredModelAlias(name: string, alias: string): void {
    this.tx(() => {
      this.s.aliasDelete.run(this.rmRow(name).rm_pk, alias);
    })();
    this.emit({ kind: 'registered_model', name });
  }

  /** `get_model_version_by_alias`; `latest` (any case) is the first of the latest-per-stage list. */
  getModelVersionByAlias(name: string, alias: string): ModelVersion {
    if (alias.toLowerCase() === 'latest') {
      const first = this.getLatestVersions(name, null)[0];
      if (!first) throw notFound(`Latest version not found for model ${name}.`);
      return first;
    }
    const rm = this.s.rmByName.get(name);
    const found = rm ? this.s.alias.get(rm.rm_pk, alias) : undefined;
    if (!rm || !found) throw invalidParam(`Registered model alias ${alias} not found.`);
    return this.getModelVersion(name, String(found.version));
  }

  // ------------------------------------------------------------------ import

  /**
   * Upserts a registered model with its tags, aliases and versions from an importer (MLflow's
   * mlruns/models or an mlflow.db). Idempotent: the same record twice leaves one model with the
   * record's values. Tags and aliases in the record are upserted; others already present are kept.
   */
  importRegisteredModel(record: RegisteredModelRecord): ImportCounts {
    const counts: ImportCounts = { modelsCreated: 0, modelsUpdated: 0, versionsCreated: 0, versionsUpdated: 0 };
    this.tx(() => {
      const existing = this.s.rmByName.get(record.name);
      let pk: number;
      if (existing) {
        pk = existing.rm_pk;
        this.s.rmUpdateAll.run(
          record.creation_timestamp,
          record.last_updated_timestamp,
          record.description ?? null,
          pk,
        );
        counts.modelsUpdated++;
      } else {
        const r = this.s.rmInsert.run(
          record.name,
          record.creation_timestamp,
          record.last_updated_timestamp,
          record.description ?? null,
        );
        pk = Number(r.lastInsertRowid);
        counts.modelsCreated++;
      }
      for (const t of record.tags ?? []) this.s.rmTagUpsert.run(pk, t.key, t.value ?? null);
      for (const v of record.versions ?? []) {
        const c = this.importVersionRow(pk, v);
        counts.versionsCreated += c.created;
        counts.versionsUpdated += c.updated;
      }
      for (const a of record.aliases ?? []) this.s.aliasUpsert.run(pk, a.alias, Number(a.version));
    })();
    this.emit({ kind: 'registered_model', name: record.name });
    return counts;
  }

  /** Upserts one version of an existing registered model (for importers that stream versions). */
  importModelVersion(name: string, record: ModelVersionRecord): ImportCounts {
    const counts = this.tx(() => {
      const rm = this.rmRow(name);
      const c = this.importVersionRow(rm.rm_pk, record);
      return { modelsCreated: 0, modelsUpdated: 0, versionsCreated: c.created, versionsUpdated: c.updated };
    })();
    this.emit({ kind: 'model_version', name, version: String(record.version) });
    return counts;
  }

  private importVersionRow(pk: number, v: ModelVersionRecord): { created: number; updated: number } {
    if (!Number.isSafeInteger(v.version) || v.version < 1) {
      throw invalidParam(`Invalid model version number for import: ${v.version}`);
    }
    const stageRaw = v.current_stage ?? STAGE_NONE;
    const stage = stageRaw === STAGE_DELETED_INTERNAL ? stageRaw : canonicalStage(stageRaw);
    const row = {
      rm_pk: pk,
      version: v.version,
      creation_time: v.creation_timestamp,
      last_updated_time: v.last_updated_timestamp,
      description: v.description ?? null,
      user_id: v.user_id ?? null,
      current_stage: stage,
      source: v.source ?? null,
      storage_location: v.storage_location ?? null,
      run_id: v.run_id ?? null,
      run_link: v.run_link ?? null,
      status: v.status ?? 'READY',
      status_message: v.status_message ?? null,
      model_id: v.model_id ?? null,
    };
    const exists = !!this.s.mv.get(pk, v.version);
    if (exists) this.s.mvUpdateAll.run(row);
    else this.s.mvInsert.run(row);
    for (const t of v.tags ?? []) this.s.mvTagUpsert.run(pk, v.version, t.key, t.value ?? null);
    return exists ? { created: 0, updated: 1 } : { created: 1, updated: 0 };
  }

  /** Counts for the UI and importers' summaries. */
  counts(): { registeredModels: number; modelVersions: number } {
    return { registeredModels: this.s.rmCount.get()!.n, modelVersions: this.s.mvCount.get()!.n };
  }
}

const toTag = (t: TagRow): RegistryTag => (t.value === null ? { key: t.key } : { key: t.key, value: t.value });
