import { LocalArtifactDir } from './local-artifact-dir';
import { classifyArtifactUri, type ArtifactUriTarget } from './artifact-uri';

export type { ArtifactEntry, OpenedArtifact, WriteOptions } from './local-artifact-dir';
export type { ArtifactUriTarget } from './artifact-uri';

/**
 * Artifact bytes on disk under `<dataDir>/artifacts`, addressed by the path that follows
 * `mlflow-artifacts:/` (e.g. `0/<run_id>/artifacts/model/MLmodel`) — what `mlflow server
 * --artifacts-destination <root>` stores. Inherits the confined file operations (`resolve`, `list`,
 * `openRead`, `write`, `delete`, `stat`); every relative path is validated and no resolved path may
 * leave the root.
 *
 * Other modules reach a run's or logged model's artifacts through `dirForUri(artifact_uri)`: a
 * `LocalArtifactDir` for `mlflow-artifacts:` URIs (a subfolder of this root) and for local folders
 * (`file:///abs`, `/abs` — imported runs keep their artifacts in place; confined to that folder), or
 * null for remote stores.
 */
export class ArtifactRepository extends LocalArtifactDir {
  constructor(rootDir: string) {
    super(rootDir);
  }

  /** Where `uri` points (proxied path, local folder or remote). Throws 400 for an escaping proxied path. */
  classify(uri: string): ArtifactUriTarget {
    return classifyArtifactUri(uri);
  }

  /** The local directory holding the artifacts of `uri`, or null when they live in a remote store. */
  dirForUri(uri: string): LocalArtifactDir | null {
    const target = classifyArtifactUri(uri);
    if (target.kind === 'proxied') return target.path ? this.subdir(target.path) : this;
    if (target.kind === 'local') return new LocalArtifactDir(target.dir);
    return null;
  }

  /** Absolute local folder for `uri`, or null for remote stores. */
  localPathForUri(uri: string): string | null {
    return this.dirForUri(uri)?.root ?? null;
  }
}
