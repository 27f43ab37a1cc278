import { type CommonErrorCode, DomainError } from '../common/errors/domain-error';

export const RPPS_ERROR_CODES = [
  'unusable_input',
  'import_in_progress',
  'import_not_found',
  'professional_not_found',
  'migration_not_found',
  'migration_already_decided',
  'file_outside_import_dir',
  'confirmer_is_submitter',
  'confirmer_not_a_person',
  'import_not_held',
  'import_superseded',
  'import_not_confirmable',
  'import_files_changed',
  'import_not_latest',
  'import_already_dated',
] as const;
export type RppsErrorCode = (typeof RPPS_ERROR_CODES)[number];

/** Errors of the registry module. `unusable_input` maps to CLI exit code 2 (nothing committed). */
export class RppsError extends DomainError<RppsErrorCode> {
  static override readonly titles: Readonly<Record<Exclude<RppsErrorCode, CommonErrorCode>, string>> = {
    import_in_progress: 'A registry import is already running',
    import_not_found: 'No such registry import',
    professional_not_found: 'The professional is not in the registry',
    migration_not_found: 'No such identifier migration',
    migration_already_decided: 'This identifier migration was already decided',
    file_outside_import_dir: 'Files are read from the import directory only',
    confirmer_is_submitter: 'A held import is confirmed by someone other than its submitter',
    confirmer_not_a_person: 'Only a person confirms a held import',
    import_not_held: 'This import is not waiting for confirmation',
    import_superseded: 'A newer import replaced this one',
    import_not_confirmable: 'This import cannot be confirmed over the API',
    import_files_changed: 'The files of this import changed since it was held',
    import_not_latest: 'Only the date of the latest registry import can be corrected',
    import_already_dated: 'The import already has this date',
  };
}

export function unusableInput(message: string): RppsError {
  return new RppsError('unusable_input', message, 400);
}
