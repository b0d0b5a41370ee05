// The last model the page used (its checkpoint bytes), kept in this browser's IndexedDB so that reloading
// the page does not throw away minutes of training. Nothing is sent anywhere. Every function resolves to
// undefined instead of failing where storage is unavailable (private windows, blocked storage).

const DATABASE = "kshot-demo";
const STORE = "models";
const KEY = "last";

/** @returns {Promise<IDBDatabase | undefined>} */
function open() {
  return new Promise((resolve) => {
    if (typeof indexedDB === "undefined") return resolve(undefined);
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(undefined);
    request.onblocked = () => resolve(undefined);
  });
}

/**
 * Runs one request on the store and resolves to its result (undefined on failure).
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest} makeRequest
 */
async function withStore(mode, makeRequest) {
  const db = await open();
  if (!db) return undefined;
  try {
    return await new Promise((resolve) => {
      const request = makeRequest(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(undefined);
    });
  } finally {
    db.close();
  }
}

/** @param {Uint8Array} bytes @param {string} origin where the model came from, shown when it is restored */
export function rememberModel(bytes, origin) {
  return withStore("readwrite", (store) => store.put({ bytes, origin, savedAt: Date.now() }, KEY));
}

/** @returns {Promise<{ bytes: Uint8Array, origin: string, savedAt: number } | undefined>} */
export async function recallModel() {
  const record = await withStore("readonly", (store) => store.get(KEY));
  return record?.bytes instanceof Uint8Array ? record : undefined;
}

export function forgetModel() {
  return withStore("readwrite", (store) => store.delete(KEY));
}
