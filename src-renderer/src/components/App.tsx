import { useEffect } from 'react';
import { useApp } from '../state/store';
import { Sidebar } from './Sidebar';
import { RunsPane } from './RunsPane';

export function App() {
  const start = useApp((s) => s.start);
  useEffect(() => start(), [start]);
  return (
    <div className="app">
      <Sidebar />
      <main className="main">
        <RunsPane />
      </main>
    </div>
  );
}
