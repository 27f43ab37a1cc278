import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { countText, DataTable, Empty, Loading, PageTitle, ProblemAlert } from '../layout/parts';
import { formatDateTime, formatNumber } from '../lib/format';

/** The published opposition list (CRL): its number, entries, next update, and the files to download. */
export function OppositionList() {
  const q = useQuery({ queryKey: ['crls'], refetchInterval: 30_000, queryFn: async () => unwrap(await api.GET('/api/v1/crls', {})) });
  return (
    <>
      <PageTitle lead="La liste des cartes en opposition, signée et publiée pour les services qui vérifient les cartes (RFC 5280).">
        Liste d’opposition
      </PageTitle>
      <ProblemAlert error={q.error} />
      {q.isLoading && <Loading />}
      {q.data &&
        (q.data.latest ? (
          <>
            {new Date(q.data.latest.nextUpdate).getTime() < Date.now() && (
              <Alert
                severity="error"
                title="Liste périmée"
                description="La prochaine mise à jour annoncée est dépassée : les services qui vérifient les cartes refusent une liste périmée. Prévenez l’exploitation."
                className="fr-mb-3w"
              />
            )}
            <dl className="cpx-dl">
              <dt>Dernière liste complète</dt>
              <dd>n° {formatNumber(q.data.latest.crlNumber)}</dd>
              <dt>Cartes en opposition</dt>
              <dd>{formatNumber(q.data.latest.entries)}</dd>
              {q.data.latest.deltaCrlNumber !== undefined && (
                <>
                  <dt>Liste des changements</dt>
                  <dd>
                    n° {formatNumber(q.data.latest.deltaCrlNumber)},{' '}
                    {countText(q.data.latest.deltaEntries ?? 0, false, 'opposition ajoutée', 'oppositions ajoutées')}
                  </dd>
                </>
              )}
              <dt>Émise</dt>
              <dd>{formatDateTime(q.data.latest.thisUpdate)}</dd>
              <dt>Prochaine mise à jour</dt>
              <dd>{formatDateTime(q.data.latest.nextUpdate)}</dd>
              <dt>Empreinte SHA-256</dt>
              <dd>
                <code className="fr-text--xs">{q.data.latest.sha256}</code>
              </dd>
            </dl>
            <h2 className="fr-h4">Téléchargements</h2>
            <ul className="fr-mb-4w">
              {[
                { href: q.data.links.crl, label: 'Liste complète (CRL, format DER)' },
                { href: q.data.links.deltaCrl, label: 'Liste des changements depuis la dernière liste complète (delta CRL, DER)' },
                { href: q.data.links.issuerCertificate, label: 'Certificat de l’émetteur (PEM)' },
              ].map((l) => (
                <li key={l.href}>
                  <a className="fr-link fr-icon-download-line fr-link--icon-left" href={l.href} download>
                    {l.label}
                  </a>
                </li>
              ))}
            </ul>
            <DataTable
              caption="Listes publiées, les plus récentes d’abord"
              headers={['Numéro', 'Liste', 'Entrées', 'Émise', 'Prochaine mise à jour']}
              rows={q.data.history.map((c) => [
                formatNumber(c.crlNumber),
                c.kind === 'full' ? 'complète' : `changements depuis la liste n° ${formatNumber(c.baseCrlNumber ?? 0)}`,
                formatNumber(c.entries),
                formatDateTime(c.thisUpdate),
                formatDateTime(c.nextUpdate),
              ])}
            />
          </>
        ) : (
          <Empty>Aucune liste n’a encore été publiée.</Empty>
        ))}
    </>
  );
}
