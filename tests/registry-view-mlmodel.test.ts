import { describe, expect, it } from 'vitest';
import { describeType, summarizeMlmodel } from '../src-renderer/src/features/registry/mlmodel';

/** The version page's reading of MLmodel files as MLflow writes them (YAML, specs as JSON strings). */

const SKLEARN = `artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
  sklearn:
    sklearn_version: 1.5.2
mlflow_version: 2.17.0
model_uuid: 0f1e2d
signature:
  inputs: '[{"type": "double", "name": "x", "required": true}, {"type": "string", "name":
    "city", "required": false}]'
  outputs: '[{"type": "long", "required": true}]'
  params: null
utc_time_created: '2024-10-01 12:00:00.000000'
`;

describe('summarizeMlmodel', () => {
  it('reads flavors, version and a column signature', () => {
    const s = summarizeMlmodel(SKLEARN);
    expect(s.flavors).toEqual(['python_function', 'sklearn']);
    expect(s.mlflowVersion).toBe('2.17.0');
    expect(s.signature).toEqual({
      inputs: [
        { name: 'x', type: 'double', required: true },
        { name: 'city', type: 'string', required: false },
      ],
      outputs: [{ name: null, type: 'long', required: true }],
      params: null,
    });
    expect(s.signatureError).toBeNull();
  });

  it('reads tensor specs and params with defaults', () => {
    const s = summarizeMlmodel(`flavors: {pytorch: {}}
signature:
  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 28, 28]}, "name": "img"}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 10]}}]'
  params: '[{"name": "temperature", "type": "float", "default": 0.7, "shape": null}, {"name": "stops", "type": "string", "default": ["a"], "shape": [-1]}]'
`);
    expect(s.signature?.inputs).toEqual([{ name: 'img', type: 'Tensor(float32, [-1,28,28])', required: true }]);
    expect(s.signature?.params).toEqual([
      { name: 'temperature', type: 'float', required: false, defaultValue: '0.7' },
      { name: 'stops', type: 'string', required: false, defaultValue: '["a"]', shape: '[-1]' },
    ]);
  });

  it('has no signature when none was logged, and reports an unreadable one', () => {
    expect(summarizeMlmodel('flavors: {python_function: {}}\n').signature).toBeNull();
    const broken = summarizeMlmodel("signature:\n  inputs: '[{not json'\n");
    expect(broken.signature).toBeNull();
    expect(broken.signatureError).toMatch(/could not be read/);
  });
});

describe('describeType', () => {
  it('spells nested MLflow types', () => {
    expect(describeType({ type: 'array', items: { type: 'double' } })).toBe('Array(double)');
    expect(describeType({ type: 'map', values: { type: 'long' } })).toBe('Map(str → long)');
    expect(
      describeType({
        type: 'object',
        properties: {
          a: { type: 'string', required: true },
          b: { type: 'array', items: { type: 'long' }, required: false },
        },
      }),
    ).toBe('{a: string, b?: Array(long)}');
    expect(describeType({ type: 'any' })).toBe('any');
  });
});
