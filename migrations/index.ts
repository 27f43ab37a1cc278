import { Foundation1764160000000 } from './1764160000000-Foundation';

/** Every migration, in order. TypeORM runs the pending ones at start-up. */
export const MIGRATIONS = [Foundation1764160000000];
