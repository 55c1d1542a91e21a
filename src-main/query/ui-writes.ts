import { MlflowError, invalidParam } from '../core/errors';
import type { TrackingStore } from '../store/tracking-store';
import { uiStateStatements } from '../store/ui-queries';
import { NOTE_TAG, UI_LIMITS } from '../contract/ui-api';
import { parseBool, parseExperimentId, parseOptionalString, parseTagEdit, stringList } from './validate';

/**
 * The writes the UI makes, through the store's single writer connection (so they are ordered with
 * the REST API's writes and reach live views through the same change feed). Bulk run edits are one
 * transaction: a thousand selected runs change together or not at all.
 */
export class UiWrites {
  private readonly state;

  constructor(private readonly tracking: TrackingStore) {
    this.state = uiStateStatements(tracking.db);
  }

  updateExperiment(b: Record<string, unknown>): void {
    const id = parseExperimentId(b.experimentId);
    if (b.name !== undefined) {
      const name = parseOptionalString(b.name, 'name', 500).trim();
      if (!name) throw invalidParam('An experiment name cannot be empty');
      this.tracking.renameExperiment(id, name);
    }
    if (b.description !== undefined) {
      const text = parseOptionalString(b.description, 'description', 1_000_000);
      if (text.trim()) this.tracking.setExperimentTag(id, NOTE_TAG, text);
      else {
        try {
          this.tracking.deleteExperimentTag(id, NOTE_TAG);
        } catch (err) {
          // Clearing a description that was never set is not an error.
          if (!(err instanceof MlflowError) || err.errorCode !== 'RESOURCE_DOES_NOT_EXIST') throw err;
        }
      }
    }
  }

  setExperimentDeleted(b: Record<string, unknown>): void {
    const id = parseExperimentId(b.experimentId);
    if (parseBool(b.deleted, 'deleted')) this.tracking.deleteExperiment(id);
    else this.tracking.restoreExperiment(id);
  }

  setRunsDeleted(b: Record<string, unknown>): { changed: number } {
    const ids = stringList(b.runIds, 'runIds', UI_LIMITS.maxRunIds);
    const deleted = parseBool(b.deleted, 'deleted');
    let changed = 0;
    this.tracking.db.transaction(() => {
      for (const id of ids) {
        const row = this.tracking.runRow(id);
        if ((row.lifecycle_stage === 'deleted') === deleted) continue;
        if (deleted) this.tracking.deleteRun(id);
        else this.tracking.restoreRun(id);
        changed++;
      }
    })();
    return { changed };
  }

  editRunTags(b: Record<string, unknown>): { changed: number } {
    const edit = parseTagEdit(b);
    let changed = 0;
    this.tracking.db.transaction(() => {
      for (const id of edit.runIds) {
        const row = this.tracking.runRow(id);
        if (row.lifecycle_stage !== 'active') continue; // MLflow only edits active runs
        for (const t of edit.set) this.tracking.setTag(id, t.key, t.value);
        for (const key of edit.remove) {
          try {
            this.tracking.deleteTag(id, key);
          } catch (err) {
            if (!(err instanceof MlflowError) || err.errorCode !== 'RESOURCE_DOES_NOT_EXIST') throw err;
          }
        }
        changed++;
      }
    })();
    return { changed };
  }

  getUiState(key: unknown): unknown {
    const k = stateKey(key);
    const row = this.state.get.get(k);
    if (!row) return null;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return null;
    }
  }

  putUiState(key: unknown, value: unknown): void {
    const k = stateKey(key);
    if (value === null || value === undefined) {
      this.state.remove.run(k);
      return;
    }
    const text = JSON.stringify(value);
    if (text.length > UI_LIMITS.maxUiStateBytes) {
      throw invalidParam(`UI state '${k}' is ${text.length} bytes; at most ${UI_LIMITS.maxUiStateBytes} are kept`);
    }
    this.state.put.run(k, text, Date.now());
  }
}

function stateKey(key: unknown): string {
  if (typeof key !== 'string' || !/^[\w.:,/-]{1,200}$/.test(key)) {
    throw invalidParam("'key' must be 1-200 characters of letters, digits and . : , / - _");
  }
  return key;
}
