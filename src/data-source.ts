import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { loadConfig } from './common/config/config';
import { DataSourceParts, dataSourceOptions } from './common/database/data-source.factory';
import { ENTITIES } from './entities';

export function appDataSourceParts(url: string, applicationName?: string): DataSourceParts {
  return { url, entities: ENTITIES, migrations: MIGRATIONS, applicationName };
}

/** For the TypeORM CLI (`typeorm migration:generate -d dist/src/data-source.js`). */
export default new DataSource(dataSourceOptions(appDataSourceParts(loadConfig().DATABASE_URL)));
