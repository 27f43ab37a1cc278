/** The letters of a mailing batch (issue 11): their data, their PDF and their manifest. */
export {
  CARD_TYPES,
  type CardGeneration,
  type CardLetter,
  type CardType,
  checkLetter,
  knownFieldProblems,
  type LetterKind,
  type LetterOf,
  letterProblems,
  type PinLetter,
} from './letter-data';
export type { LetterEncryption, ManifestRow } from './letter-pdf-writer';
export type { LetterSender } from './letter-text';
export {
  type RenderLettersOptions,
  type RenderLettersResult,
  removeUnfinishedRenders,
  renderLetters,
  renderLettersInProcess,
} from './letters-pdf';
export { manifestCsv, writeManifestCsv } from './manifest-csv';
