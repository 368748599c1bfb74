import { storedRows, tempSqliteStore } from '../support/store.js';
import { incidentStoreContract } from './incident-store.contract.js';

incidentStoreContract('SQLite (embedded)', async () => {
  const t = tempSqliteStore();
  return { ...t, rows: async () => storedRows(t.dir) };
});
