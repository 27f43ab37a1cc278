import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './common/config/config';
import { dataSourceOptions, DataSourceParts } from './common/database/data-source.factory';
import { ENTITIES } from './entities';
import { MIGRATIONS } from '../migrations';

export function appDataSourceParts(url: string, applicationName?: string): DataSourceParts {
  return { url, entities: ENTITIES, migrations: MIGRATIONS, applicationName };
}

/** For the TypeORM CLI (`typeorm migration:generate -d dist/src/data-source.js`). */
export default new DataSource(dataSourceOptions(appDataSourceParts(loadConfig().DATABASE_URL)));
