/**
 * Synthetic RPPS / ADELI registry generator (pure Node: no Nest, no database).
 *
 * Writes `PS_LibreAcces_Personne_activite_<stamp>.txt` files in the real format of the
 * public extraction (header copied from the fixtures, `|` delimiter, trailing `|` on
 * every line, UTF-8, LF), deterministically from a seed (same seed and options give
 * byte-identical files), streaming to disk so that a national-size file (about
 * 2.2 million lines, 1 GB) never sits in memory.
 *
 *  - `generateRegistryDay1`: a full extract (and the SavoirFaire file for the newer layout).
 *  - `generateRegistryNextDay`: the next day's extract, derived from a day-1 file, with a
 *    known set of changes (ceased, new, site changed, name changed) returned exactly.
 *  - `truncateRegistryFile`: the first part of an extract, for the mass-change guard.
 *
 * Every identifier it makes passes the Luhn check: RPPS (11 digits), ADELI (9 digits:
 * département, profession, 4 digits, key), SIREN (9), SIRET (14, starting with its
 * SIREN), FINESS (9).
 */

import { once } from 'node:events';
import * as fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { luhnCheckDigit, luhnValid } from '../../src/rpps/identifiers';

/** Header of the 52-column layout, copied byte for byte from the 202611250600 fixture. */
export const HEADER_52 =
  "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|Code mode exercice|Libellé mode exercice|Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|Numéro FINESS établissement juridique|Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. structure)|Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|Mention distribution (coord. structure)|Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|Code pays (coord. structure)|Libellé pays (coord. structure)|Téléphone (coord. structure)|Téléphone 2 (coord. structure)|Télécopie (coord. structure)|Adresse e-mail (coord. structure)|Code Département (structure)|Libellé Département (structure)|Ancien identifiant de la structure|Autorité d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|Code section tableau pharmaciens|Libellé section tableau pharmaciens|";

/**
 * Header of the newer layout ("56 columns" in the format notes), copied byte for
 * byte from the 202611270600 fixture. NB: that header names 52 columns (the four
 * savoir-faire columns removed, four columns added at the end); the generator
 * writes data lines with exactly as many fields as this header.
 */
export const HEADER_56 =
  "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code mode exercice|Libellé mode exercice|Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|Numéro FINESS établissement juridique|Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. structure)|Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|Mention distribution (coord. structure)|Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|Code pays (coord. structure)|Libellé pays (coord. structure)|Téléphone (coord. structure)|Téléphone 2 (coord. structure)|Télécopie (coord. structure)|Adresse e-mail (coord. structure)|Code Département (structure)|Libellé Département (structure)|Ancien identifiant de la structure|Autorité d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|Code section tableau pharmaciens|Libellé section tableau pharmaciens|Code fonction|Libellé fonction|Code genre d'activité|Libellé genre d'activité|";

/** Header of `PS_LibreAcces_SavoirFaire_<stamp>.txt`, copied from the fixture. */
export const SAVOIR_FAIRE_HEADER =
  'Identification nationale PP|Code profession|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|';

/** Kinds of practice site. */
export type SiteKind = 'hospital' | 'clinic' | 'centre' | 'lab' | 'military' | 'cabinet' | 'group' | 'societe' | 'officine' | 'shop';

export interface ProfessionRef {
  code: string;
  label: string;
  /** weight inside its registry (RPPS or ADELI) */
  weight: number;
  /** site kinds and their weights */
  sites: Array<[SiteKind, number]>;
  /** RPPS registration authority (ordre); ADELI professions use ARS */
  authority: string;
  /** probability of the civility of practice DR (Docteur) */
  doctorTitle: number;
  /** may be a student (category E) */
  student: boolean;
}

const GP_SITES: Array<[SiteKind, number]> = [
  ['cabinet', 45],
  ['group', 25],
  ['hospital', 20],
  ['centre', 10],
];

/** Professions registered in the RPPS (type 8). */
export const RPPS_PROFESSIONS: ProfessionRef[] = [
  {
    code: '60',
    label: 'Infirmier',
    weight: 45,
    authority: 'CNOI/CNOI/CNOI',
    doctorTitle: 0,
    student: false,
    sites: [
      ['hospital', 50],
      ['clinic', 10],
      ['centre', 8],
      ['cabinet', 17],
      ['group', 12],
      ['societe', 3],
    ],
  },
  {
    code: '10',
    label: 'Médecin',
    weight: 26,
    authority: 'CNOM/CNOM/CNOM',
    doctorTitle: 1,
    student: true,
    sites: [
      ['hospital', 30],
      ['clinic', 6],
      ['centre', 4],
      ['cabinet', 30],
      ['group', 24],
      ['societe', 6],
    ],
  },
  {
    code: '70',
    label: 'Masseur-Kinésithérapeute',
    weight: 11,
    authority: 'CNOMK/CNOMK/CNOMK',
    doctorTitle: 0,
    student: false,
    sites: [
      ['cabinet', 35],
      ['group', 35],
      ['societe', 10],
      ['hospital', 12],
      ['clinic', 4],
      ['centre', 4],
    ],
  },
  {
    code: '21',
    label: 'Pharmacien',
    weight: 8,
    authority: 'CNOP/CNOP/CNOP',
    doctorTitle: 0.3,
    student: true,
    sites: [
      ['officine', 70],
      ['hospital', 12],
      ['lab', 10],
      ['centre', 3],
      ['societe', 5],
    ],
  },
  {
    code: '40',
    label: 'Chirurgien-Dentiste',
    weight: 5,
    authority: 'CNOCD/CNOCD/CNOCD',
    doctorTitle: 0.9,
    student: true,
    sites: [
      ['cabinet', 45],
      ['group', 30],
      ['societe', 15],
      ['centre', 7],
      ['hospital', 3],
    ],
  },
  {
    code: '50',
    label: 'Sage-Femme',
    weight: 3,
    authority: 'CNOSF/CNOSF/CNOSF',
    doctorTitle: 0,
    student: true,
    sites: [
      ['hospital', 55],
      ['clinic', 10],
      ['cabinet', 20],
      ['group', 10],
      ['centre', 5],
    ],
  },
  {
    code: '80',
    label: 'Pédicure-Podologue',
    weight: 2,
    authority: 'CNOPP/CNOPP/CNOPP',
    doctorTitle: 0,
    student: false,
    sites: [
      ['cabinet', 60],
      ['group', 30],
      ['societe', 10],
    ],
  },
];

const ARS = 'ARS/ARS/ARS';

/** Professions still registered in ADELI (type 0). */
export const ADELI_PROFESSIONS: ProfessionRef[] = [
  {
    code: '60',
    label: 'Infirmier',
    weight: 35,
    authority: ARS,
    doctorTitle: 0,
    student: false,
    sites: [
      ['hospital', 55],
      ['clinic', 10],
      ['centre', 10],
      ['cabinet', 15],
      ['group', 10],
    ],
  },
  {
    code: '28',
    label: 'Opticien-Lunetier',
    weight: 14,
    authority: ARS,
    doctorTitle: 0,
    student: false,
    sites: [
      ['shop', 90],
      ['societe', 10],
    ],
  },
  {
    code: '98',
    label: 'Manipulateur ERM',
    weight: 14,
    authority: ARS,
    doctorTitle: 0,
    student: false,
    sites: [
      ['hospital', 65],
      ['clinic', 15],
      ['group', 20],
    ],
  },
  { code: '91', label: 'Orthophoniste', weight: 10, authority: ARS, doctorTitle: 0, student: false, sites: GP_SITES },
  { code: '94', label: 'Ergothérapeute', weight: 5, authority: ARS, doctorTitle: 0, student: false, sites: GP_SITES },
  { code: '96', label: 'Psychomotricien', weight: 5, authority: ARS, doctorTitle: 0, student: false, sites: GP_SITES },
  { code: '95', label: 'Diététicien', weight: 5, authority: ARS, doctorTitle: 0, student: false, sites: GP_SITES },
  {
    code: '69',
    label: 'Infirmier psychiatrique',
    weight: 3,
    authority: ARS,
    doctorTitle: 0,
    student: false,
    sites: [
      ['hospital', 85],
      ['centre', 15],
    ],
  },
  { code: '92', label: 'Orthoptiste', weight: 2, authority: ARS, doctorTitle: 0, student: false, sites: GP_SITES },
  {
    code: '26',
    label: 'Audioprothésiste',
    weight: 2,
    authority: ARS,
    doctorTitle: 0,
    student: false,
    sites: [
      ['shop', 90],
      ['societe', 10],
    ],
  },
  {
    code: '81',
    label: 'Orthoprothésiste',
    weight: 0.8,
    authority: ARS,
    doctorTitle: 0,
    student: false,
    sites: [
      ['shop', 80],
      ['hospital', 20],
    ],
  },
  {
    code: '82',
    label: 'Podo-Orthésiste',
    weight: 0.6,
    authority: ARS,
    doctorTitle: 0,
    student: false,
    sites: [
      ['shop', 80],
      ['hospital', 20],
    ],
  },
  {
    code: '83',
    label: 'Orthopédiste-Orthésiste',
    weight: 0.8,
    authority: ARS,
    doctorTitle: 0,
    student: false,
    sites: [
      ['shop', 80],
      ['hospital', 20],
    ],
  },
  { code: '84', label: 'Oculariste', weight: 0.2, authority: ARS, doctorTitle: 0, student: false, sites: [['shop', 100]] },
  { code: '85', label: 'Epithésiste', weight: 0.2, authority: ARS, doctorTitle: 0, student: false, sites: [['shop', 100]] },
  {
    code: '86',
    label: 'Technicien de laboratoire médical',
    weight: 2.4,
    authority: ARS,
    doctorTitle: 0,
    student: false,
    sites: [
      ['lab', 70],
      ['hospital', 30],
    ],
  },
];

/** Modes of practice (TRE_R23). */
export const MODES = {
  L: 'Libéral, indépendant, artisan, commerçant',
  S: 'Salarié',
  B: 'Bénévole',
} as const;

/** Sectors of activity (TRE_R02) used by the generator. */
export const SECTORS: Record<string, string> = {
  SA01: 'Etablissement public de santé',
  SA02: 'Hôpital militaire du Service de Santé des Armées',
  SA03: 'Etablissement privé PSPH',
  SA04: 'Etablissement privé non PSPH',
  SA05: 'Centre de santé',
  SA07: 'Cabinet individuel',
  SA08: 'Cabinet de groupe',
  SA09: 'Exercice en société',
  SA25: 'Laboratoire de biologie médicale',
};

/** Categories (TRE_R09). */
export const CATEGORIES = { C: 'Civil', E: 'Etudiant', M: 'Militaire' } as const;

/** Pharmacists' sections of the Ordre's table. */
export const PHARMA_SECTIONS = {
  A: "Pharmacien titulaire d'officine",
  B: "Pharmacien de l'industrie",
  D: 'Pharmacien adjoint et autres',
  G: 'Pharmacien biologiste',
  H: 'Pharmacien des établissements de santé',
} as const;

/** Ordinal specialties of doctors (savoir-faire type S), with weights. */
export const DOCTOR_SPECIALTIES: Array<[string, string, number]> = [
  ['SM26', 'Qualifié en Médecine Générale', 40],
  ['SM54', 'Médecine générale (SM)', 6],
  ['SM53', 'Spécialiste en Médecine Générale', 4],
  ['SM02', 'Anesthésie-réanimation', 5],
  ['SM04', 'Cardiologie et maladies vasculaires', 4],
  ['SM15', 'Dermatologie et vénéréologie', 2],
  ['SM20', 'Gynécologie-obstétrique', 3],
  ['SM24', 'Gastro-entérologie et hépatologie', 2],
  ['SM27', 'Médecine interne', 2],
  ['SM32', 'Neurologie', 2],
  ['SM38', 'Ophtalmologie', 3],
  ['SM40', 'Pédiatrie', 4],
  ['SM41', 'Pneumologie', 2],
  ['SM42', 'Psychiatrie', 5],
  ['SM44', 'Radio-diagnostic', 4],
  ['SM48', 'Rhumatologie', 2],
  ['SM49', 'Santé publique et médecine sociale', 1],
  ['SM08', 'Chirurgie orthopédique et traumatologie', 2],
  ['SM14', 'Chirurgie viscérale et digestive', 1],
  ['SM03', 'Biologie médicale', 1],
];

/** Ordinal specialties of dentists. */
export const DENTIST_SPECIALTIES: Array<[string, string, number]> = [
  ['SCD01', 'Orthopédie dento-faciale', 6],
  ['SCD02', 'Chirurgie orale', 2],
  ['SCD03', 'Médecine bucco-dentaire', 2],
];

export const SAVOIR_FAIRE_TYPE = { code: 'S', label: 'Spécialité ordinale' } as const;

/** Functions / kinds of activity of the newer layout. */
export const FONCTIONS: Array<[string, string, string, string, number]> = [
  ['FON-AU', 'Fonction autre', 'GENR01', 'Activité standard de soin', 100],
];

export const CIVILITIES = { M: 'Monsieur', MME: 'Madame' } as const;

export const SURNAMES = [
  'MARTIN',
  'BERNARD',
  'THOMAS',
  'PETIT',
  'ROBERT',
  'RICHARD',
  'DURAND',
  'DUBOIS',
  'MOREAU',
  'LAURENT',
  'SIMON',
  'MICHEL',
  'LEFÈVRE',
  'LEROY',
  'ROUX',
  'DAVID',
  'BERTRAND',
  'MOREL',
  'FOURNIER',
  'GIRARD',
  'BONNET',
  'DUPONT',
  'LAMBERT',
  'FONTAINE',
  'ROUSSEAU',
  'VINCENT',
  'MULLER',
  'MÜLLER',
  'LEFEBVRE',
  'FAURE',
  'ANDRÉ',
  'MERCIER',
  'BLANC',
  'GUÉRIN',
  'BOYER',
  'GARNIER',
  'CHEVALIER',
  'FRANÇOIS',
  'LEGRAND',
  'GAUTHIER',
  'GARCIA',
  'PERRIN',
  'ROBIN',
  'CLÉMENT',
  'MORIN',
  'NICOLAS',
  'HENRY',
  'ROUSSEL',
  'MATHIEU',
  'GAUTIER',
  'MASSON',
  'MARCHAND',
  'DUVAL',
  'DENIS',
  'DUMONT',
  'MARIE',
  'LEMAIRE',
  'NOËL',
  'MEYER',
  'DUFOUR',
  'MEUNIER',
  'BRUN',
  'BLANCHARD',
  'GIRAUD',
  'JOLY',
  'RIVIÈRE',
  'LUCAS',
  'BRUNET',
  'GAILLARD',
  'BARBIER',
  'ARNAUD',
  'MARTINEZ',
  'GÉRARD',
  'ROCHE',
  'RENARD',
  'SCHMITT',
  'ROY',
  'LEROUX',
  'COLIN',
  'VIDAL',
  'CARON',
  'PICARD',
  'ROGER',
  'FABRE',
  'AUBERT',
  'LEMOINE',
  'RENAUD',
  'DUMAS',
  'LACROIX',
  'OLIVIER',
  'PHILIPPE',
  'BOURGEOIS',
  'PIERRE',
  'BENOÎT',
  'REY',
  'LECLERC',
  'PAYET',
  'ROLLAND',
  'LECLERCQ',
  'GUILLAUME',
  'LECOMTE',
  'LOPEZ',
  'JEAN',
  'DUPUY',
  'GUILLOT',
  'HUBERT',
  'BERGER',
  'CARPENTIER',
  'SANCHEZ',
  'DUPUIS',
  'MOULIN',
  'LOUIS',
  'DESCHAMPS',
  'HUET',
  'VASSEUR',
  'PEREZ',
  'BOUCHER',
  'FLEURY',
  'ROYER',
  'KLEIN',
  'JACQUET',
  'ADAM',
  'PARIS',
  'POIRIER',
  'MARTY',
  'AUBRY',
  'GUYOT',
  'CARRÉ',
  'CHARLES',
  'RENAULT',
  'CHARPENTIER',
  'MÉNARD',
  'MAILLARD',
  'BARON',
  'BERTIN',
  'BAILLY',
  'HERVÉ',
  'SCHNEIDER',
  'FERNANDEZ',
  'LE GALL',
  'COLLET',
  'LÉGER',
  'BOUVIER',
  'JULIEN',
  'PRÉVOST',
  'MILLET',
  'PERROT',
  'DANIEL',
  'LE ROUX',
  'COUSIN',
  'GERMAIN',
  'BRETON',
  'BESSON',
  'LANGLOIS',
  'RÉMY',
  'LE GOFF',
  'PELLETIER',
  'LÉVÊQUE',
  'PERRIER',
  'LEBLANC',
  'BARRÉ',
  'LEBRUN',
  'MARCHAL',
  'WEBER',
  'MALLET',
  'HAMON',
  'BOULANGER',
  'JACOB',
  'MONNIER',
  'MICHAUD',
  'RODRIGUEZ',
  'GUICHARD',
  'GILLET',
  'ÉTIENNE',
  'GRONDIN',
  'POULAIN',
  'TESSIER',
  'CHEVALLIER',
  'COLLIN',
  'CHAUVIN',
  'DA SILVA',
  'BOUCHET',
  'GAY',
  'LEMAÎTRE',
  'BÉNARD',
  'MARÉCHAL',
  'HUMBERT',
  'REYNAUD',
  'ANTOINE',
  'HOARAU',
  'PERRET',
  'BARTHÉLEMY',
  'CORDIER',
  'PICHON',
  'LEJEUNE',
  'GILBERT',
  'LAMY',
  'DELAUNAY',
  'PASQUIER',
  'CARLIER',
  'LAPORTE',
  "O'NEILL",
  "D'ALMEIDA",
  "D'ANGELO",
  "N'DIAYE",
  "N'GUESSAN",
  'DE OLIVEIRA',
  'DOS SANTOS',
  'NGUYEN',
  'TRAN',
  'BEN AMAR',
  'EL KHOURY',
  'ÉMERY',
  'FAURÉ-DUPONT',
  'ZOLA',
  'SAINT-MARTIN',
  'DE LA FONTAINE',
  'LE BIHAN',
  'KERGOAT',
  'OUÉDRAOGO',
  'BOUAZIZ',
  'HADDAD',
  'COHEN',
  'LÉVY',
  'ABITBOL',
  'ÇELIK',
  'YILMAZ',
  "D'ARCY",
  "L'HERMITE",
  'DE SAINT-EXUPÉRY',
];

export const FIRST_NAMES_M = [
  'JEAN',
  'PIERRE',
  'MICHEL',
  'ANDRÉ',
  'PHILIPPE',
  'ALAIN',
  'BERNARD',
  'JACQUES',
  'FRANÇOIS',
  'CHRISTIAN',
  'DANIEL',
  'ÉRIC',
  'NICOLAS',
  'LAURENT',
  'STÉPHANE',
  'DAVID',
  'JULIEN',
  'SÉBASTIEN',
  'THOMAS',
  'OLIVIER',
  'CHRISTOPHE',
  'FRÉDÉRIC',
  'PATRICK',
  'JÉRÔME',
  'LUC',
  'NOËL',
  'JEAN-BAPTISTE',
  'JEAN-PIERRE',
  'JEAN-FRANÇOIS',
  'JEAN-MARC',
  'PAUL',
  'ANTOINE',
  'MAXIME',
  'ALEXANDRE',
  'GUILLAUME',
  'HUGO',
  'LUCAS',
  'THÉO',
  'MATHÉO',
  'LOÏC',
  'JOËL',
  'GAËL',
  'RAPHAËL',
  'BENOÎT',
  'CÉDRIC',
  'RÉMI',
  'GRÉGOIRE',
  'MOHAMED',
  'KARIM',
  'YANN',
  'ÉTIENNE',
  'HERVÉ',
  'GÉRARD',
  'RENÉ',
  'AURÉLIEN',
  'JOSÉ',
  'MAËL',
  'CLÉMENT',
  'ANTHONY',
  'VINCENT',
];

export const FIRST_NAMES_F = [
  'MARIE',
  'NATHALIE',
  'ISABELLE',
  'SYLVIE',
  'CATHERINE',
  'FRANÇOISE',
  'CHRISTINE',
  'ANNE',
  'MONIQUE',
  'VALÉRIE',
  'SANDRINE',
  'STÉPHANIE',
  'CÉLINE',
  'AURÉLIE',
  'JULIE',
  'CAMILLE',
  'LÉA',
  'MANON',
  'CHLOÉ',
  'EMMA',
  'INÈS',
  'ZOË',
  'ANAÏS',
  'HÉLÈNE',
  'MARIE-CHRISTINE',
  'ANNE-SOPHIE',
  'MARIE-CLAIRE',
  'MARIE-HÉLÈNE',
  'ÉLODIE',
  'MÉLANIE',
  'SÉVERINE',
  'GAËLLE',
  'NOÉMIE',
  'CLÉMENCE',
  'LÆTITIA',
  'AGNÈS',
  'BÉATRICE',
  'GENEVIÈVE',
  'JOSÉPHINE',
  'MAËLLE',
  'SOLÈNE',
  'LOUISE',
  'ALICE',
  'JEANNE',
  'FATIMA',
  'SARAH',
  'AÏCHA',
  'ÉMILIE',
  'CHANTAL',
  'MIREILLE',
];

export const VOIE_TYPES: Array<[string, string, number]> = [
  ['R', 'Rue', 45],
  ['AV', 'Avenue', 15],
  ['BD', 'Boulevard', 10],
  ['PL', 'Place', 8],
  ['CHE', 'Chemin', 5],
  ['ALL', 'Allée', 5],
  ['IMP', 'Impasse', 3],
  ['QUAI', 'Quai', 3],
  ['RTE', 'Route', 4],
  ['CRS', 'Cours', 2],
];

export const VOIE_NAMES = [
  'DE LA RÉPUBLIQUE',
  'VICTOR HUGO',
  'JEAN JAURÈS',
  'DU GÉNÉRAL DE GAULLE',
  'DES LILAS',
  'PASTEUR',
  "DE L'ÉGLISE",
  'DU 8 MAI 1945',
  'DE LA GARE',
  'DU MARÉCHAL FOCH',
  'GAMBETTA',
  'DES ÉCOLES',
  'SAINT-MICHEL',
  'DU MOULIN',
  "D'ALSACE-LORRAINE",
  'ÉMILE ZOLA',
  'LOUIS PASTEUR',
  'DES TILLEULS',
  'DU CHÂTEAU',
  'NATIONALE',
  'DE LA LIBÉRATION',
  'ANATOLE FRANCE',
  'DE VERDUN',
  'DES MARRONNIERS',
  'JULES FERRY',
  'DE LA PAIX',
  'DU COMMANDANT CHARCOT',
  'SADI CARNOT',
  'ARISTIDE BRIAND',
  "DE L'HÔTEL DE VILLE",
  'GEORGES CLEMENCEAU',
  'DE STRASBOURG',
  'DE PARIS',
  'DES ACACIAS',
  'MARCEL PAGNOL',
  'DU FAUBOURG SAINT-ANTOINE',
  'DES CORDELIERS',
  'DE LA CROIX-ROUSSE',
  "D'ESTIENNE D'ORVES",
];

export const COMPLEMENTS_GEO = ['BÂTIMENT A', 'BÂTIMENT B', 'RÉSIDENCE LES ACACIAS', 'ZONE ARTISANALE', 'CENTRE COMMERCIAL', '1ER ÉTAGE'];
export const HOSPITAL_SERVICES = [
  'SERVICE DES URGENCES',
  'PÔLE MÈRE-ENFANT',
  'SERVICE DE CARDIOLOGIE',
  'BLOC OPÉRATOIRE',
  'PHARMACIE À USAGE INTÉRIEUR',
  "SERVICE D'IMAGERIE",
];
export const CLINIC_NAMES = [
  'CLINIQUE SAINT-JOSEPH',
  'CLINIQUE DU PARC',
  'CLINIQUE DES CÈDRES',
  'CLINIQUE PASTEUR',
  'CLINIQUE SAINTE-ANNE',
  'POLYCLINIQUE DU LITTORAL',
  "CLINIQUE DE L'ESPÉRANCE",
  'CLINIQUE MUTUALISTE',
  'CLINIQUE DES ALPES',
  'CLINIQUE SAINT-GEORGES',
];
export const MILITARY_HOSPITALS = [
  'BÉGIN',
  'PERCY',
  'SAINTE-ANNE',
  'LAVERAN',
  'DESGENETTES',
  'ROBERT PICQUÉ',
  'LEGOUEST',
  'CLERMONT-TONNERRE',
];
export const PHARMACY_NAMES = [
  'DU CENTRE',
  'DE LA GARE',
  'DU MARCHÉ',
  'DES HALLES',
  'DE LA MAIRIE',
  'DU PORT',
  "DE L'EUROPE",
  'SAINT-JACQUES',
];

/** Départements: code → label. */
export const DEPARTEMENTS: Record<string, string> = {
  '01': 'Ain',
  '02': 'Aisne',
  '03': 'Allier',
  '04': 'Alpes-de-Haute-Provence',
  '05': 'Hautes-Alpes',
  '06': 'Alpes-Maritimes',
  '07': 'Ardèche',
  '08': 'Ardennes',
  '09': 'Ariège',
  '10': 'Aube',
  '11': 'Aude',
  '12': 'Aveyron',
  '13': 'Bouches-du-Rhône',
  '14': 'Calvados',
  '15': 'Cantal',
  '16': 'Charente',
  '17': 'Charente-Maritime',
  '18': 'Cher',
  '19': 'Corrèze',
  '2A': 'Corse-du-Sud',
  '2B': 'Haute-Corse',
  '21': "Côte-d'Or",
  '22': "Côtes-d'Armor",
  '23': 'Creuse',
  '24': 'Dordogne',
  '25': 'Doubs',
  '26': 'Drôme',
  '27': 'Eure',
  '28': 'Eure-et-Loir',
  '29': 'Finistère',
  '30': 'Gard',
  '31': 'Haute-Garonne',
  '32': 'Gers',
  '33': 'Gironde',
  '34': 'Hérault',
  '35': 'Ille-et-Vilaine',
  '36': 'Indre',
  '37': 'Indre-et-Loire',
  '38': 'Isère',
  '39': 'Jura',
  '40': 'Landes',
  '41': 'Loir-et-Cher',
  '42': 'Loire',
  '43': 'Haute-Loire',
  '44': 'Loire-Atlantique',
  '45': 'Loiret',
  '46': 'Lot',
  '47': 'Lot-et-Garonne',
  '48': 'Lozère',
  '49': 'Maine-et-Loire',
  '50': 'Manche',
  '51': 'Marne',
  '52': 'Haute-Marne',
  '53': 'Mayenne',
  '54': 'Meurthe-et-Moselle',
  '55': 'Meuse',
  '56': 'Morbihan',
  '57': 'Moselle',
  '58': 'Nièvre',
  '59': 'Nord',
  '60': 'Oise',
  '61': 'Orne',
  '62': 'Pas-de-Calais',
  '63': 'Puy-de-Dôme',
  '64': 'Pyrénées-Atlantiques',
  '65': 'Hautes-Pyrénées',
  '66': 'Pyrénées-Orientales',
  '67': 'Bas-Rhin',
  '68': 'Haut-Rhin',
  '69': 'Rhône',
  '70': 'Haute-Saône',
  '71': 'Saône-et-Loire',
  '72': 'Sarthe',
  '73': 'Savoie',
  '74': 'Haute-Savoie',
  '75': 'Paris',
  '76': 'Seine-Maritime',
  '77': 'Seine-et-Marne',
  '78': 'Yvelines',
  '79': 'Deux-Sèvres',
  '80': 'Somme',
  '81': 'Tarn',
  '82': 'Tarn-et-Garonne',
  '83': 'Var',
  '84': 'Vaucluse',
  '85': 'Vendée',
  '86': 'Vienne',
  '87': 'Haute-Vienne',
  '88': 'Vosges',
  '89': 'Yonne',
  '90': 'Territoire de Belfort',
  '91': 'Essonne',
  '92': 'Hauts-de-Seine',
  '93': 'Seine-Saint-Denis',
  '94': 'Val-de-Marne',
  '95': "Val-d'Oise",
  '971': 'Guadeloupe',
  '972': 'Martinique',
  '973': 'Guyane',
  '974': 'La Réunion',
  '976': 'Mayotte',
};

/** Telephone prefix of a département. */
export function phonePrefix(dept: string): string {
  switch (dept) {
    case '971':
      return '0590';
    case '972':
      return '0596';
    case '973':
      return '0594';
    case '974':
      return '0262';
    case '976':
      return '0269';
  }
  if (['75', '77', '78', '91', '92', '93', '94', '95'].includes(dept)) return '01';
  if (
    [
      '14',
      '18',
      '22',
      '27',
      '28',
      '29',
      '35',
      '36',
      '37',
      '41',
      '44',
      '45',
      '49',
      '50',
      '53',
      '56',
      '61',
      '72',
      '76',
      '79',
      '85',
      '86',
      '974',
    ].includes(dept)
  )
    return '02';
  if (
    [
      '02',
      '08',
      '10',
      '21',
      '25',
      '39',
      '51',
      '52',
      '54',
      '55',
      '57',
      '58',
      '59',
      '60',
      '62',
      '67',
      '68',
      '70',
      '71',
      '80',
      '88',
      '89',
      '90',
    ].includes(dept)
  )
    return '03';
  if (
    [
      '01',
      '03',
      '04',
      '05',
      '06',
      '07',
      '11',
      '13',
      '15',
      '26',
      '2A',
      '2B',
      '30',
      '34',
      '38',
      '42',
      '43',
      '48',
      '63',
      '66',
      '69',
      '73',
      '74',
      '83',
      '84',
    ].includes(dept)
  )
    return '04';
  return '05';
}

export interface Commune {
  postal: string;
  insee: string;
  label: string;
  /** the town name used in "Bureau cedex" (postal code + this) */
  bureau: string;
  dept: string;
  weight: number;
}

// postal|insee|label|dept|weight (bureau = label unless an arrondissement)
const COMMUNE_ROWS = `
01000|01053|BOURG-EN-BRESSE|01|4
02000|02408|LAON|02|2
02100|02691|SAINT-QUENTIN|02|3
03000|03190|MOULINS|03|2
03100|03185|MONTLUÇON|03|2
03200|03310|VICHY|03|2
04000|04070|DIGNE-LES-BAINS|04|1
05000|05061|GAP|05|2
06000|06088|NICE|06|14
06400|06029|CANNES|06|4
06600|06004|ANTIBES|06|4
07000|07186|PRIVAS|07|1
07100|07010|ANNONAY|07|1
08000|08105|CHARLEVILLE-MÉZIÈRES|08|2
09000|09122|FOIX|09|1
10000|10387|TROYES|10|3
11000|11069|CARCASSONNE|11|2
11100|11262|NARBONNE|11|2
12000|12202|RODEZ|12|2
14000|14118|CAEN|14|6
15000|15014|AURILLAC|15|1
16000|16015|ANGOULÊME|16|2
17000|17300|LA ROCHELLE|17|4
18000|18033|BOURGES|18|3
19100|19031|BRIVE-LA-GAILLARDE|19|2
19000|19272|TULLE|19|1
20000|2A004|AJACCIO|2A|3
20200|2B033|BASTIA|2B|2
21000|21231|DIJON|21|6
22000|22278|SAINT-BRIEUC|22|2
23000|23096|GUÉRET|23|1
24000|24322|PÉRIGUEUX|24|2
25000|25056|BESANÇON|25|5
25300|25462|PONTARLIER|25|1
26000|26362|VALENCE|26|3
27000|27229|ÉVREUX|27|2
28000|28085|CHARTRES|28|2
29200|29019|BREST|29|5
29000|29232|QUIMPER|29|3
30000|30189|NÎMES|30|6
31000|31555|TOULOUSE|31|20
32000|32013|AUCH|32|1
33000|33063|BORDEAUX|33|16
33700|33281|MÉRIGNAC|33|3
34000|34172|MONTPELLIER|34|13
34500|34032|BÉZIERS|34|3
35000|35238|RENNES|35|10
35400|35288|SAINT-MALO|35|2
36000|36044|CHÂTEAUROUX|36|2
37000|37261|TOURS|37|6
38000|38185|GRENOBLE|38|8
39000|39300|LONS-LE-SAUNIER|39|1
40000|40192|MONT-DE-MARSAN|40|1
41000|41018|BLOIS|41|2
42000|42218|SAINT-ÉTIENNE|42|7
43000|43157|LE PUY-EN-VELAY|43|1
44000|44109|NANTES|44|13
44600|44184|SAINT-NAZAIRE|44|3
45000|45234|ORLÉANS|45|5
46000|46042|CAHORS|46|1
47000|47001|AGEN|47|2
48000|48095|MENDE|48|1
49000|49007|ANGERS|49|6
50000|50502|SAINT-LÔ|50|1
50100|50129|CHERBOURG-EN-COTENTIN|50|3
51100|51454|REIMS|51|7
51000|51108|CHÂLONS-EN-CHAMPAGNE|51|2
52000|52121|CHAUMONT|52|1
53000|53130|LAVAL|53|2
54000|54395|NANCY|54|7
55000|55029|BAR-LE-DUC|55|1
56000|56260|VANNES|56|3
56100|56121|LORIENT|56|2
57000|57463|METZ|57|5
58000|58194|NEVERS|58|1
59000|59350|LILLE|59|14
59100|59512|ROUBAIX|59|4
59140|59183|DUNKERQUE|59|3
60000|60057|BEAUVAIS|60|2
61000|61001|ALENÇON|61|1
62000|62041|ARRAS|62|2
62100|62193|CALAIS|62|2
63000|63113|CLERMONT-FERRAND|63|8
64000|64445|PAU|64|4
64100|64102|BAYONNE|64|3
65000|65440|TARBES|65|2
66000|66136|PERPIGNAN|66|5
67000|67482|STRASBOURG|67|13
68000|68066|COLMAR|68|3
68100|68224|MULHOUSE|68|4
69100|69266|VILLEURBANNE|69|5
70000|70550|VESOUL|70|1
71000|71270|MÂCON|71|2
71100|71076|CHALON-SUR-SAÔNE|71|2
72000|72181|LE MANS|72|5
73000|73065|CHAMBÉRY|73|3
74000|74010|ANNECY|74|4
76000|76540|ROUEN|76|7
76600|76351|LE HAVRE|76|5
77000|77288|MELUN|77|2
77100|77284|MEAUX|77|2
78000|78646|VERSAILLES|78|5
79000|79191|NIORT|79|2
80000|80021|AMIENS|80|5
81000|81004|ALBI|81|2
82000|82121|MONTAUBAN|82|2
83000|83137|TOULON|83|7
84000|84007|AVIGNON|84|4
85000|85191|LA ROCHE-SUR-YON|85|2
86000|86194|POITIERS|86|4
87000|87085|LIMOGES|87|5
88000|88160|ÉPINAL|88|1
89000|89024|AUXERRE|89|1
90000|90010|BELFORT|90|2
91000|91228|ÉVRY-COURCOURONNES|91|3
92000|92050|NANTERRE|92|4
92100|92012|BOULOGNE-BILLANCOURT|92|5
93200|93066|SAINT-DENIS|93|4
93000|93008|BOBIGNY|93|2
93100|93048|MONTREUIL|93|4
94000|94028|CRÉTEIL|94|4
94400|94081|VITRY-SUR-SEINE|94|3
95000|95127|CERGY|95|2
95100|95018|ARGENTEUIL|95|3
97110|97120|POINTE-À-PITRE|971|2
97200|97209|FORT-DE-FRANCE|972|3
97300|97302|CAYENNE|973|2
97400|97411|SAINT-DENIS|974|5
97600|97611|MAMOUDZOU|976|1
`;

function ordinal(n: number): string {
  return n === 1 ? '1ER' : `${n}E`;
}

function buildCommunes(): Commune[] {
  const out: Commune[] = [];
  for (const row of COMMUNE_ROWS.trim().split('\n')) {
    const [postal, insee, label, dept, weight] = row.split('|');
    out.push({ postal, insee, label, bureau: label, dept, weight: Number(weight) });
  }
  // Paris, Lyon and Marseille by arrondissement.
  for (let i = 1; i <= 20; i++) {
    const n = String(i).padStart(2, '0');
    out.push({
      postal: `750${n}`,
      insee: `751${n}`,
      label: `PARIS ${ordinal(i)} ARRONDISSEMENT`,
      bureau: 'PARIS',
      dept: '75',
      weight: 3.5,
    });
  }
  for (let i = 1; i <= 9; i++) {
    out.push({
      postal: `6900${i}`,
      insee: `6938${i}`,
      label: `LYON ${ordinal(i)} ARRONDISSEMENT`,
      bureau: 'LYON',
      dept: '69',
      weight: 2.2,
    });
  }
  for (let i = 1; i <= 16; i++) {
    const n = String(i).padStart(2, '0');
    out.push({
      postal: `130${n}`,
      insee: `132${n}`,
      label: `MARSEILLE ${ordinal(i)} ARRONDISSEMENT`,
      bureau: 'MARSEILLE',
      dept: '13',
      weight: 1.8,
    });
  }
  return out;
}

export const COMMUNES: Commune[] = buildCommunes();

// ---------------------------------------------------------------------------
// Small pure helpers: PRNG, hashing, Luhn, weighted choice
// ---------------------------------------------------------------------------

/** A PRNG returning floats in [0, 1). */
export type Rng = () => number;

/** mulberry32: tiny, fast, good enough for test data; fully determined by the seed. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 32-bit hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function subSeed(seed: number, salt: string): number {
  return fnv1a(`${seed >>> 0}:${salt}`);
}

/** The Luhn key (0-9) to append to a string of digits (the project's own rule). */
export function luhnKey(body: string): number {
  return Number(luhnCheckDigit(body));
}

/** True when `num` is all digits and passes the Luhn check. */
export function isLuhnValid(num: string): boolean {
  return /^[0-9]+$/.test(num) && luhnValid(num);
}

function withKey(body: string): string {
  return body + luhnKey(body);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

class Weighted<T> {
  private readonly items: T[];
  private readonly cum: number[];
  readonly total: number;

  constructor(pairs: Array<[T, number]>) {
    this.items = pairs.map((p) => p[0]);
    this.cum = [];
    let acc = 0;
    for (const [, w] of pairs) {
      acc += w;
      this.cum.push(acc);
    }
    this.total = acc;
  }

  pick(rng: Rng): T {
    return this.at(rng() * this.total);
  }

  /** The item at position `x` in [0, total). */
  at(x: number): T {
    const cum = this.cum;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < cum[mid]) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}

function pickOne<T>(rng: Rng, list: readonly T[]): T {
  return list[(rng() * list.length) | 0];
}

/** Two-digit département prefix used inside ADELI and FINESS numbers. */
function dept2(dept: string): string {
  if (dept.length === 3) return dept.slice(0, 2); // 971..976 → 97
  if (dept === '2A' || dept === '2B') return '20';
  return dept;
}

function asciiSlug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

// ---------------------------------------------------------------------------
// Reference pickers
// ---------------------------------------------------------------------------

const RPPS_PICK = new Weighted(RPPS_PROFESSIONS.map((p) => [p, p.weight] as [ProfessionRef, number]));
const ADELI_PICK = new Weighted(ADELI_PROFESSIONS.map((p) => [p, p.weight] as [ProfessionRef, number]));
const SITE_PICKS = new Map<ProfessionRef, Weighted<SiteKind>>();
for (const p of [...RPPS_PROFESSIONS, ...ADELI_PROFESSIONS]) SITE_PICKS.set(p, new Weighted(p.sites));
const COMMUNE_PICK = new Weighted(COMMUNES.map((c) => [c, c.weight] as [Commune, number]));
const VOIE_TYPE_PICK = new Weighted(VOIE_TYPES.map((v) => [v, v[2]] as [[string, string, number], number]));
const DOCTOR_SPEC = new Weighted(DOCTOR_SPECIALTIES.map((s) => [s, s[2]] as [[string, string, number], number]));
const DENTIST_SPEC = new Weighted(DENTIST_SPECIALTIES.map((s) => [s, s[2]] as [[string, string, number], number]));
/** situations per (person, profession): mean 1.68; with 3% double professions and single-site students, ≈1.70 lines per person */
const SITUATION_COUNT = new Weighted<number>([
  [1, 48],
  [2, 36],
  [3, 16],
]);
const MILITARY_PROFESSIONS = new Set(['10', '21', '40', '60', '70']);
const ADELI_DEPT_PREFIXES = [...new Set(Object.keys(DEPARTEMENTS).map(dept2))].sort();
const FONCTION_TAIL = `${FONCTIONS[0][0]}|${FONCTIONS[0][1]}|${FONCTIONS[0][2]}|${FONCTIONS[0][3]}|`;

/**
 * The specialty (savoir-faire) of a person in a profession, derived from the national
 * identifier so that the day-1 and next-day files (and both layouts) agree.
 */
export function specialtyFor(nationalId: string, professionCode: string): { code: string; label: string } | null {
  if (professionCode !== '10' && professionCode !== '40') return null;
  const h = fnv1a(`${nationalId}/${professionCode}`);
  if (professionCode === '10') {
    const s = DOCTOR_SPEC.at(((h % 100000) / 100000) * DOCTOR_SPEC.total);
    return { code: s[0], label: s[1] };
  }
  if (h % 100 >= 10) return null; // 10% of dentists
  const s = DENTIST_SPEC.at((((h >>> 8) % 100000) / 100000) * DENTIST_SPEC.total);
  return { code: s[0], label: s[1] };
}

function savoirFaireLine(nationalId: string, professionCode: string): string | null {
  const s = specialtyFor(nationalId, professionCode);
  if (!s) return null;
  return `${nationalId}|${professionCode}|${SAVOIR_FAIRE_TYPE.code}|${SAVOIR_FAIRE_TYPE.label}|${s.code}|${s.label}|\n`;
}

// ---------------------------------------------------------------------------
// Streaming I/O
// ---------------------------------------------------------------------------

const FLUSH_CHARS = 1 << 20;

/** Batches strings and writes them to a file stream, honouring backpressure. */
class BatchWriter {
  private buf = '';
  private readonly ws: fs.WriteStream;
  private failure: Error | null = null;

  constructor(readonly path: string) {
    this.ws = fs.createWriteStream(path, { highWaterMark: 1 << 20 });
    this.ws.on('error', (e) => {
      this.failure = e;
    });
  }

  /** Appends text; true when the caller should `await flush()`. */
  add(text: string): boolean {
    this.buf += text;
    return this.buf.length >= FLUSH_CHARS;
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buf.length === 0) return;
    const b = this.buf;
    this.buf = '';
    if (!this.ws.write(b)) await once(this.ws, 'drain');
  }

  async close(): Promise<number> {
    await this.flush();
    this.ws.end();
    await finished(this.ws);
    if (this.failure) throw this.failure;
    return this.ws.bytesWritten;
  }

  destroy(): void {
    this.ws.destroy();
  }
}

/** Yields the lines of a text file in batches (BOM and CR removed), without holding the file. */
export async function* readLineBatches(file: string): AsyncGenerator<string[]> {
  const rs = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  let first = true;
  for await (const chunk of rs as AsyncIterable<string>) {
    let s = rest + chunk;
    if (first) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      first = false;
    }
    const parts = s.split('\n');
    rest = parts.pop() as string;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p.length > 0 && p.charCodeAt(p.length - 1) === 13) parts[i] = p.slice(0, -1);
    }
    if (parts.length > 0) yield parts;
  }
  if (rest.length > 0) yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

/**
 * A copy of a string that shares no memory with it. Substrings (slice, split) of a
 * read chunk keep the whole chunk alive in V8; what outlives a batch must be detached.
 */
function detach(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** The `index`-th `|`-separated field of a line (no allocation of the other fields). */
function fieldAt(line: string, index: number): string {
  let start = 0;
  for (let i = 0; i < index; i++) {
    const p = line.indexOf('|', start);
    if (p < 0) return '';
    start = p + 1;
  }
  const end = line.indexOf('|', start);
  return end < 0 ? line.slice(start) : line.slice(start, end);
}

function normaliseHeaderName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

interface Columns {
  layout: 52 | 56;
  count: number;
  nationalId: number;
  nom: number;
  civiliteExercice: number;
  prenom: number;
  profession: number;
  mode: number;
  siret: number;
  siren: number;
  finess: number;
  finessEj: number;
  structureId: number;
  sector: number;
  pharmaSection: number;
}

function columnsOf(header: string): Columns {
  const names = header.split('|');
  if (names[names.length - 1] === '') names.pop();
  const norm = names.map(normaliseHeaderName);
  const idx = (name: string): number => {
    const i = norm.indexOf(normaliseHeaderName(name));
    if (i < 0) throw new Error(`registry file header lacks the column "${name}"`);
    return i;
  };
  const layout: 52 | 56 = norm.includes(normaliseHeaderName('Code fonction')) ? 56 : 52;
  const c: Columns = {
    layout,
    count: names.length,
    nationalId: idx('Identification nationale PP'),
    nom: idx("Nom d'exercice"),
    civiliteExercice: idx("Code civilité d'exercice"),
    prenom: idx("Prénom d'exercice"),
    profession: idx('Code profession'),
    mode: idx('Code mode exercice'),
    siret: idx('Numéro SIRET site'),
    siren: idx('Numéro SIREN site'),
    finess: idx('Numéro FINESS site'),
    finessEj: idx('Numéro FINESS établissement juridique'),
    structureId: idx('Identifiant technique de la structure'),
    sector: idx("Code secteur d'activité"),
    pharmaSection: idx('Code section tableau pharmaciens'),
  };
  if (idx('Ancien identifiant de la structure') !== c.siret + STRUCTURE_FIELDS - 1) {
    throw new Error('unexpected column order between "Numéro SIRET site" and "Ancien identifiant de la structure"');
  }
  return c;
}

// ---------------------------------------------------------------------------
// The person / structure factory
// ---------------------------------------------------------------------------

/** Number of fields from "Numéro SIRET site" to "Ancien identifiant de la structure". */
const STRUCTURE_FIELDS = 28;

interface Structure {
  id: string;
  kind: SiteKind;
  /** the 28 fields from SIRET to "Ancien identifiant", joined by `|` */
  frag: string;
  sector: string;
  sectorLabel: string;
  dept: string;
}

interface Pool {
  all: Structure[];
  byDept: Map<string, Structure[]>;
}

interface IdState {
  rppsCursor: number;
  rppsMaxStep: number;
  adeliCounters: Map<string, number>;
  sirenCursor: number;
  sirenMaxStep: number;
  finessCounters: Map<string, number>;
}

interface PersonOut {
  nationalId: string;
  rpps: boolean;
  text: string;
  lines: number;
  professions: number;
  sfText: string;
  sfLines: number;
}

const POOL_KINDS: SiteKind[] = ['hospital', 'clinic', 'centre', 'lab', 'military'];

class RegistryFactory {
  private readonly pools = new Map<SiteKind, Pool>();
  private readonly rings = new Map<string, Structure[]>();

  constructor(
    private readonly rng: Rng,
    private readonly layout: 52 | 56,
    private readonly ids: IdState,
  ) {}

  /** Day 1: shared establishments (hospitals, clinics, centres, labs, military hospitals). */
  buildPools(persons: number): void {
    const sizes: Record<string, number> = {
      hospital: Math.max(8, Math.round(persons / 400)),
      clinic: Math.max(4, Math.round(persons / 1500)),
      centre: Math.max(4, Math.round(persons / 700)),
      lab: Math.max(4, Math.round(persons / 2500)),
      military: MILITARY_HOSPITALS.length,
    };
    for (const kind of POOL_KINDS) {
      const pool: Pool = { all: [], byDept: new Map() };
      for (let i = 0; i < sizes[kind]; i++) {
        const commune = COMMUNE_PICK.pick(this.rng);
        const s = this.makeStructure(kind, commune, pickOne(this.rng, SURNAMES), '', '', '', i);
        pool.all.push(s);
        const list = pool.byDept.get(s.dept);
        if (list) list.push(s);
        else pool.byDept.set(s.dept, [s]);
      }
      this.pools.set(kind, pool);
    }
  }

  /** Next day: the shared establishments are a sample of those of day 1. */
  usePool(structures: Structure[]): void {
    const pool: Pool = { all: structures, byDept: new Map() };
    for (const s of structures) {
      const list = pool.byDept.get(s.dept);
      if (list) list.push(s);
      else pool.byDept.set(s.dept, [s]);
    }
    for (const kind of POOL_KINDS) this.pools.set(kind, pool);
  }

  nextRpps(): string {
    const st = this.ids;
    st.rppsCursor += 1 + ((this.rng() * st.rppsMaxStep) | 0);
    if (st.rppsCursor > 999_999_999) throw new Error('RPPS number space exhausted');
    return withKey(`1${pad(st.rppsCursor, 9)}`);
  }

  nextAdeli(dept: string, profession: string): string {
    const counters = this.ids.adeliCounters;
    const step = 1 + ((this.rng() * 3) | 0);
    let d = dept2(dept);
    let key = d + profession;
    let c = (counters.get(key) ?? 0) + step;
    if (c > 9999) {
      // that (département, profession) is full: take the next one with room
      const start = ADELI_DEPT_PREFIXES.indexOf(d);
      let found = false;
      for (let k = 1; k <= ADELI_DEPT_PREFIXES.length; k++) {
        d = ADELI_DEPT_PREFIXES[(start + k) % ADELI_DEPT_PREFIXES.length];
        key = d + profession;
        c = (counters.get(key) ?? 0) + 1;
        if (c <= 9999) {
          found = true;
          break;
        }
      }
      if (!found) throw new Error(`ADELI number space exhausted for profession ${profession}`);
    }
    counters.set(key, c);
    return withKey(key + pad(c, 4));
  }

  nextSiren(): string {
    const st = this.ids;
    st.sirenCursor += 1 + ((this.rng() * st.sirenMaxStep) | 0);
    if (st.sirenCursor > 99_999_999) throw new Error('SIREN number space exhausted');
    return withKey(String(st.sirenCursor));
  }

  siretOf(siren: string): string {
    return withKey(siren + pad(1 + ((this.rng() * 40) | 0), 4));
  }

  nextFiness(dept: string): string {
    const d = dept2(dept);
    const c = (this.ids.finessCounters.get(d) ?? 0) + 1 + ((this.rng() * 20) | 0);
    if (c > 999_999) throw new Error(`FINESS number space exhausted for ${d}`);
    this.ids.finessCounters.set(d, c);
    return withKey(d + pad(c, 6));
  }

  private phone(dept: string): string {
    const prefix = phonePrefix(dept);
    const n = 10 - prefix.length;
    return prefix + pad((this.rng() * 10 ** n) | 0, n);
  }

  makeStructure(
    kind: SiteKind,
    commune: Commune,
    nom: string,
    prenom: string,
    title: string,
    professionCode: string,
    serial = 0,
  ): Structure {
    const rng = this.rng;
    const dept = commune.dept;
    let siret = '';
    let siren = '';
    let finess = '';
    let finessEj = '';
    let id: string;
    const byFiness = kind === 'hospital' || kind === 'clinic' || kind === 'military' || (kind === 'centre' && rng() < 0.7);
    if (byFiness) {
      finess = this.nextFiness(dept);
      if (kind !== 'centre' || rng() < 0.5) finessEj = this.nextFiness(dept);
      id = `F${finess}`;
    } else {
      siren = this.nextSiren();
      siret = this.siretOf(siren);
      id = `S${siret}`;
    }
    const other = pickOne(rng, SURNAMES);
    let raison: string;
    let enseigne = '';
    let sector: string;
    const r = rng();
    switch (kind) {
      case 'hospital':
        raison =
          r < 0.15
            ? `CHU DE ${commune.bureau}`
            : r < 0.8
              ? `CENTRE HOSPITALIER ${commune.bureau}`
              : `GROUPE HOSPITALIER ${commune.bureau} ${other}`;
        sector = 'SA01';
        break;
      case 'clinic':
        raison = pickOne(rng, CLINIC_NAMES);
        sector = r < 0.25 ? 'SA03' : 'SA04';
        break;
      case 'centre':
        raison =
          r < 0.5
            ? `CENTRE DE SANTÉ ${commune.bureau}`
            : r < 0.8
              ? `CENTRE DE SANTÉ MUNICIPAL ${other}`
              : `CENTRE DE SOINS INFIRMIERS ${commune.bureau}`;
        sector = 'SA05';
        break;
      case 'lab':
        raison = r < 0.5 ? `LABORATOIRE ${other}` : `SELAS BIOLAB ${commune.bureau}`;
        sector = 'SA25';
        break;
      case 'military':
        raison = `HÔPITAL D'INSTRUCTION DES ARMÉES ${MILITARY_HOSPITALS[serial % MILITARY_HOSPITALS.length]}`;
        sector = 'SA02';
        break;
      case 'cabinet':
        raison = title === 'DR' || title === 'PR' ? `CABINET DU DR ${nom}` : r < 0.7 ? `CABINET ${nom}` : `CABINET ${prenom} ${nom}`;
        sector = 'SA07';
        break;
      case 'group':
        raison =
          r < 0.4
            ? `CABINET ${other}`
            : r < 0.65
              ? `SCM ${nom}-${other}`
              : r < 0.85
                ? `MAISON DE SANTÉ PLURIPROFESSIONNELLE ${commune.bureau}`
                : `CABINET MÉDICAL ${pickOne(rng, VOIE_NAMES)}`;
        sector = 'SA08';
        break;
      case 'societe':
        raison = r < 0.5 ? `SELARL ${nom}` : r < 0.8 ? `SCP ${nom} ET ${other}` : `SELAS ${nom}-${other}`;
        sector = 'SA09';
        break;
      case 'officine': {
        const pn = pickOne(rng, PHARMACY_NAMES);
        raison = r < 0.5 ? `PHARMACIE ${pn}` : `SELARL PHARMACIE ${other}`;
        if (r >= 0.5) enseigne = `PHARMACIE ${pn}`;
        sector = r < 0.5 ? 'SA07' : 'SA09';
        break;
      }
      default: {
        const what = professionCode === '26' ? 'AUDITION' : professionCode === '28' ? 'OPTIQUE' : 'ORTHOPÉDIE';
        raison = r < 0.6 ? `${what} ${nom}` : `SARL ${what} ${other}`;
        if (r < 0.3) enseigne = `${what} ${commune.bureau}`;
        sector = 'SA09';
        break;
      }
    }
    const big = kind === 'hospital' || kind === 'clinic' || kind === 'military';
    const complDest = big && rng() < 0.2 ? pickOne(rng, HOSPITAL_SERVICES) : '';
    const complGeo = rng() < 0.05 ? pickOne(rng, COMPLEMENTS_GEO) : '';
    const num = String(1 + ((rng() * 250) | 0));
    const ri = rng();
    const indice = ri < 0.04 ? 'B' : ri < 0.05 ? 'T' : '';
    const voie = VOIE_TYPE_PICK.pick(rng);
    const voieName = pickOne(rng, VOIE_NAMES);
    const bp = big && rng() < 0.3;
    const mention = bp ? `BP ${1 + ((rng() * 900) | 0)}` : '';
    const bureau = `${commune.postal} ${commune.bureau}${bp ? ' CEDEX' : ''}`;
    const tel = rng() < 0.6 ? this.phone(dept) : '';
    const tel2 = tel && rng() < 0.05 ? this.phone(dept) : '';
    const fax = rng() < 0.15 ? this.phone(dept) : '';
    const email = kind !== 'cabinet' && rng() < 0.1 ? `contact@${asciiSlug(raison)}.fr` : '';
    const frag = [
      siret,
      siren,
      finess,
      finessEj,
      id,
      raison,
      enseigne,
      complDest,
      complGeo,
      num,
      indice,
      voie[0],
      voie[1],
      voieName,
      mention,
      bureau,
      commune.postal,
      commune.insee,
      commune.label,
      '99000',
      'France',
      tel,
      tel2,
      fax,
      email,
      dept,
      DEPARTEMENTS[dept],
      '',
    ].join('|');
    return { id, kind, frag, sector, sectorLabel: SECTORS[sector], dept };
  }

  private fromPool(kind: SiteKind, dept: string): Structure | null {
    const pool = this.pools.get(kind);
    if (!pool || pool.all.length === 0) return null;
    const local = pool.byDept.get(dept);
    if (local && local.length > 0 && (kind !== 'military' || this.rng() < 0.3) && this.rng() < 0.85) {
      return pickOne(this.rng, local);
    }
    return pickOne(this.rng, pool.all);
  }

  site(kind: SiteKind, commune: Commune, nom: string, prenom: string, title: string, profession: string): Structure {
    if (POOL_KINDS.includes(kind)) {
      const s = this.fromPool(kind, commune.dept);
      if (s) return s;
      return this.makeStructure('cabinet', commune, nom, prenom, title, profession);
    }
    if (kind === 'group' || kind === 'officine') {
      const key = kind + commune.dept;
      let ring = this.rings.get(key);
      if (!ring) {
        ring = [];
        this.rings.set(key, ring);
      }
      if (ring.length > 0 && this.rng() < 0.5) return pickOne(this.rng, ring);
      const s = this.makeStructure(kind, commune, nom, prenom, title, profession);
      if (ring.length < 6) ring.push(s);
      else ring[(this.rng() * ring.length) | 0] = s;
      return s;
    }
    return this.makeStructure(kind, commune, nom, prenom, title, profession);
  }

  modeFor(kind: SiteKind, profession: string): 'L' | 'S' {
    switch (kind) {
      case 'cabinet':
      case 'group':
      case 'societe':
        return 'L';
      case 'clinic':
        return profession === '10' && this.rng() < 0.8 ? 'L' : 'S';
      case 'officine':
        return this.rng() < 0.4 ? 'L' : 'S';
      case 'shop':
        return this.rng() < 0.5 ? 'L' : 'S';
      default:
        return 'S';
    }
  }

  /** A new person: all their lines (adjacent) and their SavoirFaire lines. */
  person(): PersonOut {
    const rng = this.rng;
    const rpps = rng() < 0.75;
    const picker = rpps ? RPPS_PICK : ADELI_PICK;
    const p1 = picker.pick(rng);
    const professions = [p1];
    if (rng() < 0.03) {
      let p2 = picker.pick(rng);
      while (p2.code === p1.code) p2 = picker.pick(rng);
      professions.push(p2);
    }
    const female = rng() < 0.62;
    const civ = female ? 'MME' : 'M';
    const prenom = pickOne(rng, female ? FIRST_NAMES_F : FIRST_NAMES_M);
    let nom = pickOne(rng, SURNAMES);
    if (rng() < 0.04) {
      const second = pickOne(rng, SURNAMES);
      if (second !== nom) nom = `${nom}-${second}`;
    }
    const home = COMMUNE_PICK.pick(rng);
    const type = rpps ? '8' : '0';
    const id = rpps ? this.nextRpps() : this.nextAdeli(home.dept, p1.code);
    const nid = type + id;
    const civPart = `${civ}|${CIVILITIES[civ]}|${nom}|${prenom}|`;

    let text = '';
    let lines = 0;
    let sfText = '';
    let sfLines = 0;
    for (let pi = 0; pi < professions.length; pi++) {
      const p = professions[pi];
      let cat: 'C' | 'E' | 'M' = 'C';
      if (pi === 0) {
        const rc = rng();
        if (p.student && rc < 0.08) cat = 'E';
        else if (rpps && rc > 0.985 && MILITARY_PROFESSIONS.has(p.code)) cat = 'M';
      }
      let title = '';
      if (cat !== 'E' && p.doctorTitle > 0 && (p.doctorTitle >= 1 || rng() < p.doctorTitle)) {
        title = p.code === '10' && rng() < 0.02 ? 'PR' : 'DR';
      }
      const titlePart = title === 'DR' ? 'DR|Docteur|' : title === 'PR' ? 'PR|Professeur|' : '||';
      const spec = specialtyFor(nid, p.code);
      let prefix = `${type}|${id}|${nid}|${titlePart}${civPart}${p.code}|${p.label}|${cat}|${CATEGORIES[cat]}|`;
      if (this.layout === 52) {
        prefix += spec ? `${SAVOIR_FAIRE_TYPE.code}|${SAVOIR_FAIRE_TYPE.label}|${spec.code}|${spec.label}|` : '||||';
      } else if (spec) {
        sfText += `${nid}|${p.code}|${SAVOIR_FAIRE_TYPE.code}|${SAVOIR_FAIRE_TYPE.label}|${spec.code}|${spec.label}|\n`;
        sfLines++;
      }
      const tail = this.layout === 56 ? FONCTION_TAIL : '';
      const picker2 = SITE_PICKS.get(p) as Weighted<SiteKind>;
      const nSit = cat === 'C' ? SITUATION_COUNT.pick(rng) : 1;
      const used: string[] = [];
      for (let s = 0; s < nSit; s++) {
        const commune = s === 0 || rng() < 0.6 ? home : COMMUNE_PICK.pick(rng);
        const kind: SiteKind = cat === 'E' ? 'hospital' : cat === 'M' ? 'military' : picker2.pick(rng);
        let st = this.site(kind, commune, nom, prenom, title, p.code);
        for (let attempt = 0; used.includes(st.id) && attempt < 4; attempt++) {
          st = this.site(kind, commune, nom, prenom, title, p.code);
        }
        if (used.includes(st.id)) st = this.makeStructure('cabinet', commune, nom, prenom, title, p.code);
        used.push(st.id);
        let mode: 'L' | 'S' | 'B' = this.modeFor(st.kind, p.code);
        if (cat === 'C' && rng() < 0.02) mode = 'B';
        const section = p.code === '21' ? pharmaSection(st.kind, mode) : '||';
        text += `${prefix}${mode}|${MODES[mode]}|${st.frag}|${p.authority}|${st.sector}|${st.sectorLabel}|${section}${tail}\n`;
        lines++;
      }
    }
    return { nationalId: nid, rpps, text, lines, professions: professions.length, sfText, sfLines };
  }
}

function pharmaSection(kind: SiteKind, mode: string): string {
  let code: keyof typeof PHARMA_SECTIONS;
  switch (kind) {
    case 'officine':
      code = mode === 'L' ? 'A' : 'D';
      break;
    case 'lab':
      code = 'G';
      break;
    case 'hospital':
    case 'clinic':
    case 'centre':
    case 'military':
      code = 'H';
      break;
    default:
      code = 'B';
  }
  return `${code}|${PHARMA_SECTIONS[code]}|`;
}

function headerFor(layout: 52 | 56): string {
  return layout === 52 ? HEADER_52 : HEADER_56;
}

function maxStep(count: number, space: number, cap: number): number {
  return Math.max(1, Math.min(cap, Math.floor((1.5 * space) / Math.max(1, count))));
}

// ---------------------------------------------------------------------------
// Day 1
// ---------------------------------------------------------------------------

export interface RegistryDay1Options {
  /** number of persons (national identifiers) */
  persons: number;
  seed: number;
  /** 52: specialties inside the main file; 56: newer header, specialties in the SavoirFaire file */
  layout: 52 | 56;
  /** path of the `PS_LibreAcces_Personne_activite` file to write */
  out: string;
  /** path of the `PS_LibreAcces_SavoirFaire` file (layout 56 only) */
  savoirFaireOut?: string;
}

export interface RegistryDay1Stats {
  layout: 52 | 56;
  seed: number;
  out: string;
  savoirFaireOut?: string;
  /** data lines (header excluded) */
  lines: number;
  persons: number;
  rpps: number;
  adeli: number;
  /** persons with two professions */
  multiProfession: number;
  /** (person, profession) pairs */
  professions: number;
  /** data lines of the SavoirFaire file (0 in layout 52) */
  savoirFaireLines: number;
  bytes: number;
  seconds: number;
}

export type Stats = RegistryDay1Stats;

/** Writes a full day-1 extract (and its SavoirFaire file in layout 56). */
export async function generateRegistryDay1(opts: RegistryDay1Options): Promise<RegistryDay1Stats> {
  const started = process.hrtime.bigint();
  if (!Number.isInteger(opts.persons) || opts.persons < 1) throw new Error('persons must be a positive integer');
  if (opts.layout !== 52 && opts.layout !== 56) throw new Error('layout must be 52 or 56');
  const rng = mulberry32(subSeed(opts.seed, 'day1'));
  const ids: IdState = {
    rppsCursor: 0,
    rppsMaxStep: maxStep(opts.persons * 0.76, 900_000_000, 600),
    adeliCounters: new Map(),
    sirenCursor: 10_000_000,
    sirenMaxStep: maxStep(opts.persons * 1.2, 80_000_000, 60),
    finessCounters: new Map(),
  };
  const factory = new RegistryFactory(rng, opts.layout, ids);
  factory.buildPools(opts.persons);

  const w = new BatchWriter(opts.out);
  const sf = opts.layout === 56 && opts.savoirFaireOut ? new BatchWriter(opts.savoirFaireOut) : null;
  const stats: RegistryDay1Stats = {
    layout: opts.layout,
    seed: opts.seed,
    out: opts.out,
    savoirFaireOut: sf ? opts.savoirFaireOut : undefined,
    lines: 0,
    persons: 0,
    rpps: 0,
    adeli: 0,
    multiProfession: 0,
    professions: 0,
    savoirFaireLines: 0,
    bytes: 0,
    seconds: 0,
  };
  try {
    w.add(`${headerFor(opts.layout)}\n`);
    sf?.add(`${SAVOIR_FAIRE_HEADER}\n`);
    for (let i = 0; i < opts.persons; i++) {
      const p = factory.person();
      stats.persons++;
      stats.lines += p.lines;
      if (p.rpps) stats.rpps++;
      else stats.adeli++;
      stats.professions += p.professions;
      if (p.professions > 1) stats.multiProfession++;
      if (w.add(p.text)) await w.flush();
      if (sf && p.sfLines > 0) {
        stats.savoirFaireLines += p.sfLines;
        if (sf.add(p.sfText)) await sf.flush();
      }
    }
    stats.bytes = await w.close();
    if (sf) await sf.close();
  } catch (e) {
    w.destroy();
    sf?.destroy();
    throw e;
  }
  stats.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return stats;
}

// ---------------------------------------------------------------------------
// Next day
// ---------------------------------------------------------------------------

export interface RegistryNextDayOptions {
  /** the day-1 `PS_LibreAcces_Personne_activite` file */
  day1: string;
  seed: number;
  /** share of day-1 persons changed (default 0.01): 30% ceased, 30% new, 25% site, 15% name */
  changeRate?: number;
  out: string;
  /** must match the day-1 file's layout when given (it is read from the day-1 header) */
  layout?: 52 | 56;
  /** SavoirFaire file of the next day (layout 56) */
  savoirFaireOut?: string;
  /** also write `{ceased, new, site_changed, identity_changed}` (like the fixtures' *.expected.json) */
  expectedOut?: string;
}

export interface RegistryEventCounts {
  NEW_PROFESSIONAL: number;
  PROFESSION_ADDED: number;
  PROFESSION_REMOVED: number;
  IDENTITY_CHANGED: number;
  SITUATION_CHANGED: number;
  IDENTIFIER_MIGRATED: number;
  CEASED: number;
}

export interface NextDayStats {
  layout: 52 | 56;
  seed: number;
  changeRate: number;
  out: string;
  savoirFaireOut?: string;
  day1Lines: number;
  day1Persons: number;
  /** data lines of the next-day file */
  lines: number;
  /** persons of the next-day file */
  persons: number;
  /** persons of day 1 absent from the next day */
  ceased: number;
  /** persons absent from day 1, appended at the end */
  added: number;
  /** persons one of whose situations has another structure (and address) */
  siteChanged: number;
  /** persons whose name of practice changed (nothing else) */
  identityChanged: number;
  unchanged: number;
  savoirFaireLines: number;
  bytes: number;
  seconds: number;
  /** national identifiers of each kind of change, in file order */
  ids: { ceased: string[]; added: string[]; siteChanged: string[]; identityChanged: string[] };
  /** the registry events an import of this file after the day-1 file must report */
  expectedEvents: RegistryEventCounts;
}

interface Day1Scan {
  header: string;
  lines: number;
  persons: number;
  ids: IdState;
  reservoir: Structure[];
}

const RESERVOIR_SIZE = 512;

async function scanDay1(file: string, seed: number): Promise<Day1Scan> {
  let header: string | null = null;
  let cols: Columns | null = null;
  let lines = 0;
  let persons = 0;
  let lastNid = '';
  let rppsMax = 0;
  let sirenMax = 10_000_000;
  const adeli = new Map<string, number>();
  const finessMax = new Map<string, number>();
  const reservoir: Structure[] = [];
  let finessSeen = 0;
  const rng = mulberry32(subSeed(seed, 'reservoir'));
  const noteFiness = (f: string): void => {
    if (f.length !== 9 || !/^[0-9]+$/.test(f)) return;
    const k = f.slice(0, 2);
    const c = Number(f.slice(2, 8));
    if (c > (finessMax.get(k) ?? 0)) finessMax.set(k, c);
  };
  for await (const batch of readLineBatches(file)) {
    for (const line of batch) {
      if (header === null) {
        header = detach(line);
        cols = columnsOf(line);
        continue;
      }
      if (line.length === 0) continue;
      const c = cols as Columns;
      lines++;
      const nid = fieldAt(line, c.nationalId);
      if (nid !== lastNid) {
        persons++;
        lastNid = nid;
        if (nid.length === 12 && nid[0] === '8' && nid[1] === '1') {
          const v = Number(nid.slice(2, 11));
          if (v > rppsMax) rppsMax = v;
        } else if (nid.length === 10 && nid[0] === '0') {
          const k = nid.slice(1, 5);
          const v = Number(nid.slice(5, 9));
          if (v > (adeli.get(k) ?? 0)) adeli.set(k, v);
        }
      }
      const siren = fieldAt(line, c.siren) || fieldAt(line, c.siret).slice(0, 9);
      if (siren.length === 9) {
        const v = Number(siren.slice(0, 8));
        if (v > sirenMax) sirenMax = v;
      }
      const finess = fieldAt(line, c.finess);
      if (finess) {
        noteFiness(finess);
        noteFiness(fieldAt(line, c.finessEj));
        finessSeen++;
        const slot = finessSeen <= RESERVOIR_SIZE ? finessSeen - 1 : (rng() * finessSeen) | 0;
        if (slot < RESERVOIR_SIZE) {
          const f = line.split('|');
          reservoir[slot] = {
            id: detach(f[c.structureId]),
            kind: 'hospital',
            frag: detach(f.slice(c.siret, c.siret + STRUCTURE_FIELDS).join('|')),
            sector: detach(f[c.sector]),
            sectorLabel: detach(f[c.sector + 1]),
            dept: detach(f[c.siret + STRUCTURE_FIELDS - 3]),
          };
        }
      }
    }
  }
  if (header === null) throw new Error(`${file} is empty`);
  return {
    header,
    lines,
    persons,
    reservoir,
    ids: {
      rppsCursor: rppsMax,
      rppsMaxStep: 600,
      adeliCounters: adeli,
      sirenCursor: sirenMax,
      sirenMaxStep: 60,
      finessCounters: finessMax,
    },
  };
}

/** A different name of practice: a married name added, or another name. */
function changedName(rng: Rng, nom: string): string {
  for (;;) {
    const other = pickOne(rng, SURNAMES);
    const candidate = !nom.includes('-') && !nom.includes(' ') && rng() < 0.7 ? `${nom}-${other}` : other;
    if (candidate !== nom) return candidate;
  }
}

type Decision = 0 | 1 | 2 | 3; // none, ceased, site, identity

/**
 * Writes the next day's extract from a day-1 file: unchanged persons are copied byte
 * for byte; the changed ones are chosen by the seed; the new persons are appended.
 */
export async function generateRegistryNextDay(opts: RegistryNextDayOptions): Promise<NextDayStats> {
  const started = process.hrtime.bigint();
  const changeRate = opts.changeRate ?? 0.01;
  if (!(changeRate >= 0 && changeRate <= 1)) throw new Error('changeRate must be within [0, 1]');
  const scan = await scanDay1(opts.day1, opts.seed);
  const cols = columnsOf(scan.header);
  if (opts.layout !== undefined && opts.layout !== cols.layout) {
    throw new Error(`layout ${opts.layout} asked but ${opts.day1} has layout ${cols.layout}`);
  }
  const layout = cols.layout;
  const rng = mulberry32(subSeed(opts.seed, 'next-day'));
  const factory = new RegistryFactory(rng, layout, scan.ids);
  factory.usePool(scan.reservoir.filter((s) => s !== undefined));

  const n = scan.persons;
  let wantCeased = Math.round(n * changeRate * 0.3);
  let wantSite = Math.round(n * changeRate * 0.25);
  let wantIdentity = Math.round(n * changeRate * 0.15);
  const wantAdded = Math.round(n * changeRate * 0.3);
  wantCeased = Math.min(wantCeased, n);
  wantSite = Math.min(wantSite, n - wantCeased);
  wantIdentity = Math.min(wantIdentity, n - wantCeased - wantSite);

  const stats: NextDayStats = {
    layout,
    seed: opts.seed,
    changeRate,
    out: opts.out,
    savoirFaireOut: layout === 56 && opts.savoirFaireOut ? opts.savoirFaireOut : undefined,
    day1Lines: scan.lines,
    day1Persons: n,
    lines: 0,
    persons: 0,
    ceased: 0,
    added: 0,
    siteChanged: 0,
    identityChanged: 0,
    unchanged: 0,
    savoirFaireLines: 0,
    bytes: 0,
    seconds: 0,
    ids: { ceased: [], added: [], siteChanged: [], identityChanged: [] },
    expectedEvents: {
      NEW_PROFESSIONAL: 0,
      PROFESSION_ADDED: 0,
      PROFESSION_REMOVED: 0,
      IDENTITY_CHANGED: 0,
      SITUATION_CHANGED: 0,
      IDENTIFIER_MIGRATED: 0,
      CEASED: 0,
    },
  };

  const w = new BatchWriter(opts.out);
  const sf = stats.savoirFaireOut ? new BatchWriter(stats.savoirFaireOut) : null;
  let seen = 0; // persons of day 1 decided so far

  // Selection sampling (Knuth's algorithm S): exact counts, uniformly spread over the file.
  const decide = (): Decision => {
    const remaining = n - seen;
    seen++;
    const x = rng() * remaining;
    if (x < wantCeased) {
      wantCeased--;
      return 1;
    }
    if (x < wantCeased + wantSite) {
      wantSite--;
      return 2;
    }
    if (x < wantCeased + wantSite + wantIdentity) {
      wantIdentity--;
      return 3;
    }
    return 0;
  };

  const emitSavoirFaire = (nid: string, group: string[]): void => {
    if (!sf) return;
    const done: string[] = [];
    for (const line of group) {
      const prof = fieldAt(line, cols.profession);
      if (done.includes(prof)) continue;
      done.push(prof);
      const l = savoirFaireLine(nid, prof);
      if (l) {
        sf.add(l);
        stats.savoirFaireLines++;
      }
    }
  };

  const processPerson = (nid: string, group: string[]): string => {
    const d = decide();
    if (d === 1) {
      stats.ceased++;
      stats.ids.ceased.push(detach(nid));
      return '';
    }
    stats.persons++;
    stats.lines += group.length;
    emitSavoirFaire(nid, group);
    if (d === 0) {
      stats.unchanged++;
      return `${group.join('\n')}\n`;
    }
    if (d === 3) {
      stats.identityChanged++;
      stats.ids.identityChanged.push(detach(nid));
      const oldName = fieldAt(group[0], cols.nom);
      const newName = changedName(rng, oldName);
      let text = '';
      for (const line of group) {
        const f = line.split('|');
        f[cols.nom] = newName;
        text += `${f.join('|')}\n`;
      }
      return text;
    }
    // d === 2: one situation moves to another structure
    stats.siteChanged++;
    stats.ids.siteChanged.push(detach(nid));
    const usedIds = group.map((l) => fieldAt(l, cols.structureId));
    const j = (rng() * group.length) | 0;
    const f = group[j].split('|');
    let st: Structure | null = null;
    if (scan.reservoir.length > 0 && rng() < 0.4) {
      for (let attempt = 0; attempt < 4 && st === null; attempt++) {
        const cand = pickOne(rng, scan.reservoir);
        if (cand && !usedIds.includes(cand.id)) st = cand;
      }
    }
    if (st === null) {
      const commune = COMMUNE_PICK.pick(rng);
      st = factory.makeStructure('cabinet', commune, f[cols.nom], f[cols.prenom], f[cols.civiliteExercice], f[cols.profession]);
    }
    const mode = st.kind === 'cabinet' ? 'L' : 'S';
    f[cols.mode] = mode;
    f[cols.mode + 1] = MODES[mode];
    const frag = st.frag.split('|');
    for (let k = 0; k < STRUCTURE_FIELDS; k++) f[cols.siret + k] = frag[k];
    f[cols.sector] = st.sector;
    f[cols.sector + 1] = st.sectorLabel;
    if (f[cols.profession] === '21') {
      const sec = pharmaSection(st.kind, mode).split('|');
      f[cols.pharmaSection] = sec[0];
      f[cols.pharmaSection + 1] = sec[1];
    }
    group[j] = f.join('|');
    return `${group.join('\n')}\n`;
  };

  try {
    w.add(`${scan.header}\n`);
    sf?.add(`${SAVOIR_FAIRE_HEADER}\n`);
    let first = true;
    let nid = '';
    let group: string[] = [];
    for await (const batch of readLineBatches(opts.day1)) {
      for (const line of batch) {
        if (first) {
          first = false;
          continue;
        }
        if (line.length === 0) continue;
        const id = fieldAt(line, cols.nationalId);
        if (id !== nid) {
          if (group.length > 0) w.add(processPerson(nid, group));
          nid = id;
          group = [];
        }
        group.push(line);
      }
      await w.flush();
      if (sf) await sf.flush();
    }
    if (group.length > 0) w.add(processPerson(nid, group));

    for (let i = 0; i < wantAdded; i++) {
      const p = factory.person();
      stats.added++;
      stats.ids.added.push(p.nationalId);
      stats.persons++;
      stats.lines += p.lines;
      if (w.add(p.text)) await w.flush();
      if (sf && layout === 56) {
        // the factory's layout-56 specialty lines, identical to what savoirFaireLine gives
        stats.savoirFaireLines += p.sfLines;
        if (sf.add(p.sfText)) await sf.flush();
      }
    }
    stats.bytes = await w.close();
    if (sf) await sf.close();
  } catch (e) {
    w.destroy();
    sf?.destroy();
    throw e;
  }

  stats.expectedEvents.NEW_PROFESSIONAL = stats.added;
  stats.expectedEvents.CEASED = stats.ceased;
  stats.expectedEvents.SITUATION_CHANGED = stats.siteChanged;
  stats.expectedEvents.IDENTITY_CHANGED = stats.identityChanged;
  if (opts.expectedOut) {
    const expected = {
      ceased: stats.ids.ceased,
      new: stats.ids.added,
      site_changed: stats.ids.siteChanged,
      identity_changed: stats.ids.identityChanged,
    };
    await fs.promises.writeFile(opts.expectedOut, `${JSON.stringify(expected, null, 1)}\n`);
  }
  stats.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return stats;
}

// ---------------------------------------------------------------------------
// Truncation (for the mass-change guard)
// ---------------------------------------------------------------------------

export interface TruncateOptions {
  input: string;
  out: string;
  /** share of the input's data lines to keep (default 0.5); the cut falls between two persons */
  fraction?: number;
}

export interface TruncateStats {
  inputLines: number;
  inputPersons: number;
  /** data lines written */
  lines: number;
  /** persons written */
  persons: number;
  /** persons of the input missing from the output */
  droppedPersons: number;
}

/** Writes the header and the first `fraction` of the data lines of an extract. */
export async function truncateRegistryFile(opts: TruncateOptions): Promise<TruncateStats> {
  const fraction = opts.fraction ?? 0.5;
  if (!(fraction >= 0 && fraction <= 1)) throw new Error('fraction must be within [0, 1]');
  let header: string | null = null;
  let cols: Columns | null = null;
  let inputLines = 0;
  let inputPersons = 0;
  let last = '';
  for await (const batch of readLineBatches(opts.input)) {
    for (const line of batch) {
      if (header === null) {
        header = detach(line);
        cols = columnsOf(line);
        continue;
      }
      if (line.length === 0) continue;
      inputLines++;
      const nid = fieldAt(line, (cols as Columns).nationalId);
      if (nid !== last) {
        inputPersons++;
        last = nid;
      }
    }
  }
  if (header === null) throw new Error(`${opts.input} is empty`);
  const target = Math.round(inputLines * fraction);
  const w = new BatchWriter(opts.out);
  const out: TruncateStats = { inputLines, inputPersons, lines: 0, persons: 0, droppedPersons: 0 };
  try {
    w.add(`${header}\n`);
    let first = true;
    let done = false;
    last = '';
    for await (const batch of readLineBatches(opts.input)) {
      for (const line of batch) {
        if (first) {
          first = false;
          continue;
        }
        if (line.length === 0) continue;
        const nid = fieldAt(line, (cols as Columns).nationalId);
        if (nid !== last) {
          if (out.lines >= target) {
            done = true;
            break;
          }
          out.persons++;
          last = nid;
        }
        out.lines++;
        w.add(`${line}\n`);
      }
      await w.flush();
      if (done) break;
    }
    await w.close();
  } catch (e) {
    w.destroy();
    throw e;
  }
  out.droppedPersons = inputPersons - out.persons;
  return out;
}
