import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Pagination } from '@codegouvfr/react-dsfr/Pagination';
import { type ReactNode, useEffect } from 'react';
import { useSearchParams } from 'react-router';
import { ApiProblem } from '../api/problem';
import { formatActor, formatDateTime, formatNumber } from '../lib/format';
import { NotAllowed } from '../screens/not-allowed';
import { mayUse, type ScreenName } from '../session/roles';
import { useSignedIn } from '../session/session';

/** A screen: its roles checked (a "not allowed" page otherwise), its title in the tab and as the page's h1. */
export function Screen({ name, title, children }: { name: ScreenName; title: string; children: ReactNode }) {
  const { roles } = useSignedIn();
  const allowed = mayUse(roles, name);
  useEffect(() => {
    document.title = `${allowed ? title : 'Accès non autorisé'} — Console CPx`;
  }, [allowed, title]);
  if (!allowed) return <NotAllowed />;
  return <>{children}</>;
}

export function PageTitle({ children, lead }: { children: ReactNode; lead?: ReactNode }) {
  return (
    <>
      <h1 tabIndex={-1}>{children}</h1>
      {lead && <p className="fr-text--lead">{lead}</p>}
    </>
  );
}

export function Loading({ what = 'Chargement…' }: { what?: string }) {
  return (
    <p role="status" aria-live="polite" className="cpx-muted">
      {what}
    </p>
  );
}

/** An API refusal or failure, in French, announced to screen readers. */
export function ProblemAlert({ error, title = 'La demande n’a pas abouti' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const text = error instanceof ApiProblem ? error.message : 'Le service ne répond pas. Vérifiez votre connexion et réessayez.';
  return <Alert severity="error" title={title} description={text} small={false} className="fr-mb-3w" role="alert" />;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="cpx-muted fr-my-3w">{children}</p>;
}

/** A page of a list: "1 240 résultats", and DSFR pagination driven by ?page= in the address. */
export function Pager({
  total,
  page,
  pageSize,
  lowerBound,
  param = 'page',
}: {
  total: number;
  page: number;
  pageSize: number;
  lowerBound?: boolean;
  /** the address's parameter holding the page (two lists on one screen page apart) */
  param?: string;
}) {
  const [params] = useSearchParams();
  const count = Math.max(1, Math.ceil(total / pageSize));
  if (count <= 1) return null;
  return (
    <Pagination
      count={count}
      defaultPage={page}
      showFirstLast={!lowerBound}
      getPageLinkProps={(n) => {
        const next = new URLSearchParams(params);
        next.set(param, String(n));
        return { to: `?${next.toString()}` };
      }}
    />
  );
}

export function countText(total: number, lowerBound: boolean | undefined, one: string, many: string): string {
  return `${lowerBound ? 'Plus de ' : ''}${formatNumber(total)} ${total > 1 ? many : one}`;
}

/** The current ?page= (or the given parameter; 1 when absent or not a number). */
export function usePage(param = 'page'): number {
  const [params] = useSearchParams();
  const n = Number(params.get(param));
  return Number.isInteger(n) && n > 0 ? n : 1;
}

type Tone = 'success' | 'error' | 'info' | 'warning' | 'new';
export function StateBadge({ tone, children }: { tone?: Tone; children: NonNullable<ReactNode> }) {
  return (
    <Badge severity={tone} small noIcon>
      {children}
    </Badge>
  );
}

/** A simple DSFR table: a caption (for screen readers too), headers, rows. */
export function DataTable({ caption, headers, rows }: { caption: string; headers: ReactNode[]; rows: ReactNode[][] }) {
  return (
    <div className="fr-table fr-table--no-caption cpx-table-wrap">
      <div className="fr-table__wrapper">
        {/* Scrollable on a narrow screen: focusable, so that the keyboard scrolls it too (RGAA 7.3). */}
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region is reached by the keyboard. */}
        <section className="fr-table__container" tabIndex={0} aria-label={caption}>
          <div className="fr-table__content">
            <table>
              <caption>{caption}</caption>
              <thead>
                <tr>
                  {headers.map((h, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: headers are fixed per table.
                    <th key={i} scope="col">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are redrawn whole.
                  <tr key={i}>
                    {r.map((c, j) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: cells follow the headers.
                      <td key={j}>{c}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </div>
  );
}

/** A history, oldest first: each step with its time, who made it and why. */
export function Timeline({ steps }: { steps: Array<{ label: string; at: string; by: string | null; reason: string | null }> }) {
  return (
    <ol className="cpx-timeline">
      {steps.map((t) => (
        <li key={`${t.label}-${t.at}`}>
          <strong>{t.label}</strong> — {formatDateTime(t.at)}
          {t.by && <span className="cpx-muted"> · {formatActor(t.by)}</span>}
          {t.reason && <div className="cpx-muted">{t.reason}</div>}
        </li>
      ))}
    </ol>
  );
}
