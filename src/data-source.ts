import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { bootConfig } from './common/config/boot';
import { dataSourceOptions } from './common/database/data-source.factory';
import { appDataSourceParts } from './data-source-parts';

/** An entry point, for the TypeORM CLI (`typeorm migration:generate -d dist/src/data-source.js`): it reads the environment. */
export default new DataSource(dataSourceOptions(appDataSourceParts(bootConfig('typeorm').DATABASE_URL)));
