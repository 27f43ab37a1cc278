import type { components } from '../api/schema';

type Schemas = components['schemas'];
type OrderDetail = Schemas['OrderDetail_Output'];
type CardDetail = Schemas['CardDetail_Output'];
type Letter = CardDetail['letters'][number];

/** The French words of the API's values. An unknown value shows as it is. */
function label(table: Readonly<Record<string, string>>, value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return table[value] ?? value;
}

export const ORDER_STATUS = {
  requested: 'À approuver',
  approved: 'Approuvée',
  personalizing: 'En personnalisation',
  personalized: 'Personnalisée',
  'card-letter-sent': 'Carte envoyée',
  'pin-letter-sent': 'Codes envoyés',
  closed: 'Terminée',
  rejected: 'Rejetée',
  cancelled: 'Annulée',
  failed: 'En échec',
} satisfies Record<OrderDetail['status'], string>;
export const orderStatus = (v: string | null | undefined) => label(ORDER_STATUS, v);

export const ORDER_REASON = {
  'first-issue': 'Première émission',
  renewal: 'Renouvellement',
  'content-change': 'Changement de contenu',
  replacement: 'Remplacement',
  manual: 'Commande manuelle',
} satisfies Record<OrderDetail['reason'], string>;
export const orderReason = (v: string | null | undefined) => label(ORDER_REASON, v);

export const ORDER_STEP = {
  created: 'Commandée',
  approved: 'Approuvée',
  rejected: 'Rejetée',
  cancelled: 'Annulée',
  failed: 'En échec',
  retried: 'Relancée',
  personalized: 'Personnalisée',
  'card-letter-sent': 'Courrier porteur envoyé',
  'pin-letter-sent': 'Courrier des codes envoyé',
  closed: 'Terminée',
} satisfies Record<OrderDetail['timeline'][number]['step'], string>;
export const orderStep = (v: string | null | undefined) => label(ORDER_STEP, v);

export const CARD_STATE = {
  personalized: 'Personnalisée',
  sent: 'Envoyée',
  active: 'Active',
  opposed: 'En opposition',
} satisfies Record<CardDetail['state'], string>;
export const cardState = (v: string | null | undefined) => label(CARD_STATE, v);

export const CARD_STEP = {
  ordered: 'Commandée',
  approved: 'Approuvée',
  imported: 'Reprise de l’ancienne base',
  personalized: 'Personnalisée',
  sent: 'Envoyée',
  active: 'Activée',
  opposed: 'Mise en opposition',
} satisfies Record<CardDetail['timeline'][number]['step'], string>;
export const cardStep = (v: string | null | undefined) => label(CARD_STEP, v);

export const OPPOSITION_REASON: Record<string, string> = {
  expiry: 'Fin de validité',
  loss: 'Perte',
  theft: 'Vol',
  malfunction: 'Dysfonctionnement',
  'non-receipt': 'Non-réception',
  cessation: 'Cessation d’activité',
  replacement: 'Remplacement',
};
export const oppositionReason = (v: string | null | undefined) => label(OPPOSITION_REASON, v);

export const CHANNEL = {
  phone: 'Téléphone',
  form: 'Formulaire papier',
  portal: 'Portail en ligne',
  registry: 'Registre (RPPS/ADELI)',
  system: 'Système (fin de validité, remplacement)',
  import: 'Reprise de l’ancienne base',
  'returned-mail': 'Courrier retourné',
} satisfies Record<Schemas['DeclaredOpposition_Output']['channel'], string>;

export const LETTER_KIND = { 'card-letter': 'Courrier porteur', 'pin-letter': 'Courrier des codes' } satisfies Record<
  Letter['kind'],
  string
>;
export const letterKind = (v: string | null | undefined) => label(LETTER_KIND, v);

export const LETTER_STATE = {
  held: 'Retenu',
  waiting: 'En attente de lot',
  batched: 'Dans un lot',
  printed: 'Imprimé',
  returned: 'Retourné (NPAI)',
} satisfies Record<Letter['state'], string>;
export const letterState = (v: string | null | undefined) => label(LETTER_STATE, v);

export const BATCH_STATE = { rendering: 'En cours de fabrication', ready: 'Prêt à imprimer', printed: 'Imprimé' } satisfies Record<
  Schemas['BatchesPage_Output']['items'][number]['state'],
  string
>;
export const batchState = (v: string | null | undefined) => label(BATCH_STATE, v);

export const ROLE: Record<string, string> = {
  operator: 'Opérateur',
  helpdesk: 'Assistance',
  auditor: 'Auditeur',
  admin: 'Administrateur',
  batch: 'Traitement par lots',
};
export const roleLabel = (v: string | null | undefined) => label(ROLE, v);

export const CARD_TYPE: Record<string, string> = {
  CPS: 'CPS — professionnel de santé',
  CPF: 'CPF — en formation',
  CPE: 'CPE — employé d’établissement',
  CPA: 'CPA — personnel autorisé',
};

export const JOB_STATE = {
  queued: 'En file',
  running: 'En cours',
  succeeded: 'Terminé',
  failed: 'En échec',
  held: 'Retenu : décision attendue',
} satisfies Record<Schemas['JobsPage_Output']['runs'][number]['state'], string>;
export const jobState = (v: string | null | undefined) => label(JOB_STATE, v);

export const REGISTRY_EVENT: Record<string, string> = {
  NEW_PROFESSIONAL: 'Entrée au registre',
  PROFESSION_ADDED: 'Profession ajoutée',
  PROFESSION_REMOVED: 'Profession retirée',
  IDENTITY_CHANGED: 'Identité modifiée',
  SITUATION_CHANGED: 'Situation d’exercice modifiée',
  IDENTIFIER_MIGRATED: 'Identifiant migré (ADELI → RPPS)',
  CEASED: 'Cessation d’activité',
};
export const registryEvent = (v: string | null | undefined) => label(REGISTRY_EVENT, v);
