import { useEffect, useMemo, useState } from 'react';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from '@tanstack/react-table';
import type { RegisteredModel } from '@contract/registry-api';
import { AliasChip, InlineError, StageBadge, TagChips, When } from './Badges';
import { nameFilter, searchRegisteredModels } from './registry-client';
import { latestByStage } from './registry-format';
import { modelHref, versionHref } from './registry-route';
import { RegisterModelButton } from './RegisterModelButton';
import { useResource } from './use-resource';
import { useRefreshOnFocus } from './use-refresh-on-focus';

const PAGE_SIZE = 100;

/** Sortable columns map to the registry's `order_by` keys (sorted in the main process). */
const ORDER_KEYS: Record<string, string> = { name: 'name', updated: 'last_updated_timestamp' };

const columns: ColumnDef<RegisteredModel>[] = [
  {
    id: 'name',
    header: 'Name',
    accessorFn: (m) => m.name,
    enableSorting: true,
    sortDescFirst: false,
    cell: ({ row }) => (
      <a className="rg-model-link" href={modelHref(row.original.name)}>
        {row.original.name}
      </a>
    ),
  },
  {
    id: 'latest',
    header: 'Latest versions',
    enableSorting: false,
    cell: ({ row }) => {
      const latest = latestByStage(row.original);
      if (!latest.length) return <span className="muted">No versions</span>;
      return (
        <span className="rg-chips">
          {latest.map(({ stage, version }) => (
            <a
              key={stage}
              className="rg-latest"
              href={versionHref(row.original.name, version.version)}
              title={`Latest ${stage === 'None' ? 'unstaged' : stage} version: ${version.version}`}
            >
              <StageBadge stage={stage} />
              <span className="rg-latest-version">v{version.version}</span>
            </a>
          ))}
        </span>
      );
    },
  },
  {
    id: 'aliases',
    header: 'Aliases',
    enableSorting: false,
    cell: ({ row }) => {
      const aliases = row.original.aliases ?? [];
      if (!aliases.length) return <span className="muted">—</span>;
      return (
        <span className="rg-chips">
          {aliases.map((a) => (
            <AliasChip key={a.alias} alias={a.alias} model={row.original.name} version={a.version} />
          ))}
        </span>
      );
    },
  },
  {
    id: 'tags',
    header: 'Tags',
    enableSorting: false,
    cell: ({ row }) => <TagChips tags={row.original.tags} />,
  },
  {
    id: 'updated',
    header: 'Last modified',
    accessorFn: (m) => m.last_updated_timestamp ?? 0,
    enableSorting: true,
    sortDescFirst: true,
    cell: ({ row }) => <When ms={row.original.last_updated_timestamp ?? row.original.creation_timestamp} />,
  },
];

function useDebounced<T>(value: T, ms: number): T {
  const [out, setOut] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setOut(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return out;
}

export function ModelsListPage() {
  const [query, setQuery] = useState('');
  const debounced = useDebounced(query, 250);
  const [sorting, setSorting] = useState<SortingState>([{ id: 'name', desc: false }]);
  const filter = nameFilter(debounced);
  const orderBy = sorting.map((s) => `${ORDER_KEYS[s.id] ?? s.id} ${s.desc ? 'DESC' : 'ASC'}`);
  const key = JSON.stringify([filter, orderBy]);
  const first = useResource(key, () => searchRegisteredModels({ filter, order_by: orderBy, max_results: PAGE_SIZE }));
  useRefreshOnFocus(first.reload);
  const [more, setMore] = useState<{ key: string; models: RegisteredModel[]; token?: string } | null>(null);
  const [moreError, setMoreError] = useState<string | null>(null);
  const extra = more?.key === key ? more : null;
  const models = useMemo(
    () => [...(first.data?.registered_models ?? []), ...(extra?.models ?? [])],
    [first.data, extra],
  );
  const nextToken = extra ? extra.token : first.data?.next_page_token;

  const loadMore = async () => {
    if (!nextToken) return;
    setMoreError(null);
    try {
      const page = await searchRegisteredModels({
        filter,
        order_by: orderBy,
        max_results: PAGE_SIZE,
        page_token: nextToken,
      });
      setMore({
        key,
        models: [...(extra?.models ?? []), ...(page.registered_models ?? [])],
        token: page.next_page_token,
      });
    } catch (e) {
      setMoreError((e as Error).message);
    }
  };

  const table = useReactTable({
    data: models,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    getCoreRowModel: getCoreRowModel(),
  });

  const noModelsAtAll = !first.loading && !first.error && models.length === 0 && !filter;

  return (
    <section className="rg-page" aria-labelledby="rg-models-title">
      <header className="rg-header">
        <div className="rg-title">
          <h1 id="rg-models-title">Models</h1>
          <div className="rg-meta muted">
            <span data-testid="model-total">
              {first.loading && !first.data
                ? 'Loading…'
                : `${models.length}${nextToken ? '+' : ''} registered model${models.length === 1 ? '' : 's'}${filter ? ' match' : ''}`}
            </span>
          </div>
        </div>
        <RegisterModelButton label="Register model" />
      </header>
      <div className="rg-searchbar">
        <div className="rg-search">
          <span className="rg-search-icon" aria-hidden>
            ⌕
          </span>
          <input
            type="search"
            aria-label="Search models"
            placeholder="Search models by name"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setQuery('')}
          />
        </div>
      </div>
      {first.error && <div className="rg-banner">{first.error.message}</div>}
      <div className="rg-scroll">
        {noModelsAtAll ? (
          <div className="rg-empty">
            <h2>No registered models yet</h2>
            <p className="muted">
              Register a model from a run with the <strong>Register model</strong> button, or from a script:
            </p>
            <pre className="rg-code">
              {'mlflow.register_model("runs:/<run_id>/model", "my-model")\n'}
              {'# or, with MLflow 3: mlflow.<flavor>.log_model(..., registered_model_name="my-model")'}
            </pre>
          </div>
        ) : (
          <table className="rg-table" aria-label="Registered models">
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => {
                    const sorted = header.column.getIsSorted();
                    return (
                      <th
                        key={header.id}
                        className={`rg-col-${header.column.id}`}
                        aria-sort={sorted ? (sorted === 'asc' ? 'ascending' : 'descending') : undefined}
                      >
                        {header.column.getCanSort() ? (
                          <button type="button" className="rg-sort" onClick={header.column.getToggleSortingHandler()}>
                            {flexRender(header.column.columnDef.header, header.getContext())}
                            <span className={`rg-sort-mark${sorted ? ' active' : ''}`}>
                              {sorted === 'desc' ? '↓' : '↑'}
                            </span>
                          </button>
                        ) : (
                          flexRender(header.column.columnDef.header, header.getContext())
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody>
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} data-model={row.original.name}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className={`rg-col-${cell.column.id}`}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
              {!first.loading && models.length === 0 && filter && (
                <tr>
                  <td colSpan={columns.length} className="muted rg-no-match">
                    No model name contains “{debounced.trim()}”.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        )}
        {nextToken && (
          <div className="rg-more">
            <button type="button" className="rg-button" onClick={() => void loadMore()}>
              Load more
            </button>
          </div>
        )}
        <InlineError error={moreError} />
      </div>
    </section>
  );
}
