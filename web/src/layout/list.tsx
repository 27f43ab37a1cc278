import { Button } from '@codegouvfr/react-dsfr/Button';
import type { FormEvent, ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { countText, DataTable, Empty, Loading, Pager, ProblemAlert } from './parts';

/** A page of a list as the API answers it: the total (its rows are under a name of the screen's choosing: `items`). */
type ListPage = { total: number; totalIsLowerBound?: boolean };

/**
 * A paged list read by one query: its failure, then "Chargement…", then a section headed by the count
 * ("1 240 commandes"), the table or the empty message, and the pager driven by ?page= (or `param`).
 * A screen gives only its query, its labels and its columns.
 */
export function PagedList<D extends ListPage, T>({
  query,
  items,
  id,
  count,
  live = false,
  loading,
  empty,
  caption,
  headers,
  row,
  page,
  pageSize,
  param,
  children,
}: {
  query: { data: D | undefined; error: unknown; isLoading: boolean };
  /** the page's rows in the answer */
  items: (data: D) => T[];
  /** the id of the section's heading */
  id: string;
  /** the heading's noun, singular then plural */
  count: [one: string, many: string];
  /** the heading is announced when it changes (the result of a filter or a search) */
  live?: boolean;
  /** the loading message, "Chargement…" by default */
  loading?: string;
  empty: string;
  caption: string;
  headers: ReactNode[];
  row: (item: T) => ReactNode[];
  page: number;
  pageSize: number;
  /** the address's parameter holding the page, `page` by default */
  param?: string;
  /** shown between the heading and the table (e.g. the outcome of an action on a row) */
  children?: ReactNode;
}) {
  const { data, error, isLoading } = query;
  const rows = data && items(data);
  return (
    <>
      <ProblemAlert error={error} />
      {isLoading && <Loading what={loading} />}
      {data && rows !== undefined && (
        <section aria-labelledby={id}>
          <h2 id={id} className="fr-h4" aria-live={live ? 'polite' : undefined}>
            {countText(data.total, data.totalIsLowerBound, count[0], count[1])}
          </h2>
          {children}
          {rows.length === 0 ? <Empty>{empty}</Empty> : <DataTable caption={caption} headers={headers} rows={rows.map(row)} />}
          <Pager total={data.total} page={page} pageSize={pageSize} lowerBound={data.totalIsLowerBound} param={param} />
        </section>
      )}
    </>
  );
}

/**
 * A list's filters: the fields (each in its grid column), then "Filtrer", which opens `path` with the
 * filled fields as the address's parameters (and so the first page).
 */
export function FilterForm({ label, path, children }: { label: string; path: string; children: ReactNode }) {
  const navigate = useNavigate();
  function filter(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(e.currentTarget).entries()) {
      const value = String(v).trim();
      if (value) next.set(k, value);
    }
    void navigate(`${path}?${next.toString()}`);
  }
  return (
    <form onSubmit={filter} aria-label={label} className="fr-mb-3w">
      <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
        {children}
        <div className="fr-col-12 fr-col-md-2 fr-mb-3w">
          <Button type="submit" priority="secondary" iconId="fr-icon-filter-line" iconPosition="left">
            Filtrer
          </Button>
        </div>
      </div>
    </form>
  );
}
