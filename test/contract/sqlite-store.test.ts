import { tempSqliteStore } from '../support/store.js';
import { incidentStoreContract } from './incident-store.contract.js';

incidentStoreContract('SQLite (embedded)', async () => tempSqliteStore());
