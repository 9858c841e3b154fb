/**
 * Storage failures of the timeline database in words a user can read. IndexedDB rejects with
 * DOMExceptions whose names (QuotaExceededError, NotFoundError, ...) mean nothing to a user; the
 * store rethrows them as an Error saying what went wrong, the DOMException kept as `cause`.
 */

const MESSAGES: Readonly<Record<string, string>> = {
  QuotaExceededError: "the browser's storage for CallMood is full",
  NotFoundError: 'the database layout is damaged (a store is missing); reopening CallMood repairs it',
  InvalidStateError: 'the connection to the database was closed (CallMood was updated, or its data deleted, in another window)',
  VersionError: 'the database was changed by a newer version of CallMood',
  UnknownError: 'the browser could not read or write CallMood’s data (a disk or browser error)',
  AbortError: 'the browser cancelled a write of CallMood’s data',
  DataError: 'the browser refused a value of CallMood’s data',
  ConstraintError: 'the browser refused a value of CallMood’s data',
  TransactionInactiveError: 'a write of CallMood’s data took too long and was cancelled',
  ReadOnlyError: 'the browser refused a write of CallMood’s data',
};

/**
 * The error to show for `err`: an IndexedDB DOMException (by its `name`) becomes an Error with a
 * readable message and `err` as its cause; anything else (zod errors, the store's own Errors)
 * is returned unchanged. Pure.
 */
export function storageError(err: unknown): unknown {
  const name = err instanceof Error ? err.name : undefined;
  const message = name === undefined ? undefined : MESSAGES[name];
  return message === undefined ? err : new Error(message, { cause: err });
}

/** Runs `task`, rethrowing its storage failures as `storageError` describes. */
export async function describingStorageErrors<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (err) {
    throw storageError(err);
  }
}
