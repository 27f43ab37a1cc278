import { DomainError } from '../common/errors/domain-error';

export type RppsErrorCode =
  | 'unusable_input'
  | 'import_in_progress'
  | 'import_not_found'
  | 'professional_not_found'
  | 'migration_not_found'
  | 'migration_already_decided'
  | 'file_outside_import_dir'
  | 'confirmer_is_submitter'
  | 'confirmer_not_a_person'
  | 'import_not_held'
  | 'import_superseded'
  | 'import_not_confirmable'
  | 'import_files_changed';

/** Errors of the registry module. `unusable_input` maps to CLI exit code 2 (nothing committed). */
export class RppsError extends DomainError<RppsErrorCode> {}

export function unusableInput(message: string): RppsError {
  return new RppsError('unusable_input', message, 400);
}
