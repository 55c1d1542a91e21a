import { randomUUID } from 'node:crypto';
import type { Db } from './db';
import type { DatasetInput, KeyValue } from '../core/entities';

interface DatasetInputRow {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
  tags_json: string;
}

interface DatasetSummaryRow {
  dataset_pk: number;
  experiment_id: number;
  name: string;
  digest: string;
  context: string | null;
}

export interface DatasetSummary {
  experiment_id: string;
  name: string;
  digest: string;
  context?: string;
}

const newId = (): string => randomUUID().replace(/-/g, '');

/** Named statements for datasets, run inputs (datasets, logged models) and run outputs. */
export function datasetStatements(db: Db) {
  const byKey = db.prepare<[number, string, string], { dataset_pk: number }>(
    'SELECT dataset_pk FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?',
  );
  const insertDataset = db.prepare(
    `INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile)
     VALUES (@dataset_uuid, @experiment_id, @name, @digest, @source_type, @source, @schema, @profile)`,
  );
  const insertInput = db.prepare(
    'INSERT OR IGNORE INTO run_dataset_inputs (run_pk, dataset_pk, input_uuid, tags_json) VALUES (?, ?, ?, ?)',
  );
  const inputs = db.prepare<[number], DatasetInputRow>(
    `SELECT d.name, d.digest, d.source_type, d.source, d.schema, d.profile, i.tags_json
     FROM run_dataset_inputs i JOIN datasets d ON d.dataset_pk = i.dataset_pk
     WHERE i.run_pk = ? ORDER BY d.name, d.digest`,
  );
  // MLflow's _search_datasets: distinct (experiment, name, digest, context tag) over logged inputs, at most 1000.
  const summaries = db.prepare<[string], DatasetSummaryRow>(
    `SELECT DISTINCT d.dataset_pk, d.experiment_id, d.name, d.digest,
       (SELECT t.value ->> '$.value' FROM json_each(i.tags_json) t
        WHERE (t.value ->> '$.key') = 'mlflow.data.context' LIMIT 1) AS context
     FROM datasets d JOIN run_dataset_inputs i ON i.dataset_pk = d.dataset_pk
     WHERE d.experiment_id IN (SELECT value FROM json_each(?))
     ORDER BY d.dataset_pk, context LIMIT 1000`,
  );
  return {
    /** Dataset summaries of experiments given by id (ids that are not integers match nothing). */
    datasetSummaries(experimentIds: string[]): DatasetSummary[] {
      const ids = experimentIds.filter((id) => /^\s*[-+]?\d+\s*$/.test(id)).map((id) => Number(id));
      return summaries.all(JSON.stringify(ids)).map((r) => {
        const out: DatasetSummary = { experiment_id: String(r.experiment_id), name: r.name, digest: r.digest };
        if (r.context !== null) out.context = r.context;
        return out;
      });
    },
    modelInputs: db.prepare<[number], { model_id: string }>(
      'SELECT model_id FROM run_model_inputs WHERE run_pk = ? ORDER BY model_id',
    ),
    modelOutputs: db.prepare<[number], { model_id: string; step: number }>(
      'SELECT model_id, step FROM run_model_outputs WHERE run_pk = ? ORDER BY step, model_id',
    ),
    insertModelInput: db.prepare('INSERT OR IGNORE INTO run_model_inputs (run_pk, model_id) VALUES (?, ?)'),
    insertModelOutput: db.prepare(
      `INSERT INTO run_model_outputs (run_pk, model_id, step) VALUES (?, ?, ?)
       ON CONFLICT (run_pk, model_id) DO UPDATE SET step = excluded.step`,
    ),
    /** Datasets are shared per experiment by (name, digest); the same input twice is kept once. */
    logDatasetInputs(experimentId: number, runPk: number, datasets: DatasetInput[]): void {
      for (const input of datasets) {
        const d = input.dataset;
        let pk = byKey.get(experimentId, d.name, d.digest)?.dataset_pk;
        if (pk === undefined) {
          pk = Number(
            insertDataset.run({
              dataset_uuid: newId(),
              experiment_id: experimentId,
              name: d.name,
              digest: d.digest,
              source_type: d.source_type,
              source: d.source,
              schema: d.schema ?? null,
              profile: d.profile ?? null,
            }).lastInsertRowid,
          );
        }
        insertInput.run(runPk, pk, newId(), JSON.stringify(input.tags ?? []));
      }
    },
    inputsForRun(runPk: number): DatasetInput[] {
      return inputs.all(runPk).map((r) => {
        const dataset: DatasetInput['dataset'] = {
          name: r.name,
          digest: r.digest,
          source_type: r.source_type,
          source: r.source,
        };
        if (r.schema !== null) dataset.schema = r.schema;
        if (r.profile !== null) dataset.profile = r.profile;
        const tags = JSON.parse(r.tags_json) as KeyValue[];
        return tags.length ? { tags, dataset } : { dataset };
      });
    },
  };
}
