import type { TrackingStore } from '../store/tracking-store';
import type { LoggedModelStore } from '../store/logged-model-store';
import type { ArtifactRepository } from '../artifacts/artifact-repository';
import type { RegistryStore } from '../store/registry-store';

/** Everything a request handler may use; built once per server by `core/app.ts`. */
export interface AppContext {
  readonly tracking: TrackingStore;
  readonly loggedModels: LoggedModelStore;
  readonly artifacts: ArtifactRepository;
  readonly registry: RegistryStore;
  readonly dataDir: string;
  /** The port's own origin(s), e.g. http://127.0.0.1:5000, for Host/Origin checks. */
  readonly serverInfo: { host: string; port: number };
}
