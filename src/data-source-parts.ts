import { MIGRATIONS } from '../migrations';
import { DataSourceParts } from './common/database/data-source.factory';
import { ENTITIES } from './entities';

/** The application's data source: its entities and migrations, on the database at `url`. */
export function appDataSourceParts(url: string, applicationName?: string): DataSourceParts {
  return { url, entities: ENTITIES, migrations: MIGRATIONS, applicationName };
}
