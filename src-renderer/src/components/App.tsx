import { useEffect } from 'react';
import { useApp } from '../state/store';
import { Sidebar } from './Sidebar';
import { RunsPane } from './RunsPane';
import { RegistryArea, useRegistryRoute } from '../features/registry';

export function App() {
  const start = useApp((s) => s.start);
  useEffect(() => start(), [start]);
  const registryRoute = useRegistryRoute();
  return (
    <div className="app">
      <Sidebar />
      <main className="main">{registryRoute ? <RegistryArea route={registryRoute} /> : <RunsPane />}</main>
    </div>
  );
}
