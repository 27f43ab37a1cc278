/** The French words of the API's values. An unknown value shows as it is. */
function label(table: Record<string, string>, value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return table[value] ?? value;
}

export const ORDER_STATUS: Record<string, string> = {
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
};
export const orderStatus = (v: string | null | undefined) => label(ORDER_STATUS, v);

export const ORDER_REASON: Record<string, string> = {
  'first-issue': 'Première émission',
  renewal: 'Renouvellement',
  'content-change': 'Changement de contenu',
  replacement: 'Remplacement',
  manual: 'Commande manuelle',
};
export const orderReason = (v: string | null | undefined) => label(ORDER_REASON, v);

export const ORDER_STEP: Record<string, string> = {
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
};
export const orderStep = (v: string | null | undefined) => label(ORDER_STEP, v);

export const CARD_STATE: Record<string, string> = {
  personalized: 'Personnalisée',
  sent: 'Envoyée',
  active: 'Active',
  opposed: 'En opposition',
};
export const cardState = (v: string | null | undefined) => label(CARD_STATE, v);

export const CARD_STEP: Record<string, string> = {
  ordered: 'Commandée',
  approved: 'Approuvée',
  imported: 'Reprise de l’ancienne base',
  personalized: 'Personnalisée',
  sent: 'Envoyée',
  active: 'Activée',
  opposed: 'Mise en opposition',
};
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

export const CHANNEL: Record<string, string> = {
  phone: 'Téléphone',
  form: 'Formulaire papier',
  portal: 'Portail en ligne',
  registry: 'Registre (RPPS/ADELI)',
};

export const LETTER_KIND: Record<string, string> = { 'card-letter': 'Courrier porteur', 'pin-letter': 'Courrier des codes' };
export const letterKind = (v: string | null | undefined) => label(LETTER_KIND, v);

export const LETTER_STATE: Record<string, string> = {
  held: 'Retenu',
  waiting: 'En attente de lot',
  batched: 'Dans un lot',
  printed: 'Imprimé',
  returned: 'Retourné (NPAI)',
};
export const letterState = (v: string | null | undefined) => label(LETTER_STATE, v);

export const BATCH_STATE: Record<string, string> = { rendering: 'En cours de fabrication', ready: 'Prêt à imprimer', printed: 'Imprimé' };
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

export const JOB_STATE: Record<string, string> = {
  queued: 'En file',
  running: 'En cours',
  succeeded: 'Terminé',
  failed: 'En échec',
  cancelled: 'Annulé',
  held: 'Retenu',
};
export const jobState = (v: string | null | undefined) => label(JOB_STATE, v);
