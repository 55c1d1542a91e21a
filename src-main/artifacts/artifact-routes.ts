import type { RouteModule } from '../rest/server';

/** STUB: the mlflow-artifacts proxy and /mlflow/artifacts/list; filled by the artifacts module. */
export const artifactRoutes: RouteModule = {};
