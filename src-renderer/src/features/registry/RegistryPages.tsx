import type { RegistryRoute } from './registry-route';
import { ModelsListPage } from './ModelsListPage';
import { ModelPage } from './ModelPage';
import { VersionPage } from './VersionPage';

export default function RegistryPages({ route }: { route: RegistryRoute }) {
  if (route.kind === 'version') return <VersionPage key={route.name} name={route.name} version={route.version} />;
  if (route.kind === 'model') return <ModelPage key={route.name} name={route.name} />;
  return <ModelsListPage />;
}
