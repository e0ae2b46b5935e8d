/** The running app's shared pieces: the database, the sync loop and the snackbar. */
import { appDb } from "./db";
import { documentObserver } from "./sync";
import { SyncLoop } from "./syncLoop";

export const db = appDb();

export const authDeps = { db, fetch: (input: string, init?: RequestInit) => globalThis.fetch(input, init) };

export const syncLoop = new SyncLoop({ ...authDeps }, documentObserver());

export interface Snack {
  id: number;
  message: string;
  undo?: () => Promise<void> | void;
}

type SnackListener = (snack: Snack | null) => void;
const snackListeners = new Set<SnackListener>();
let snackCounter = 0;

/** Show a short message, with "Angre" when `undo` is given. */
export function showSnack(message: string, undo?: () => Promise<void> | void): void {
  const snack: Snack = { id: ++snackCounter, message };
  if (undo) snack.undo = undo;
  for (const listener of snackListeners) listener(snack);
}

export function onSnack(listener: SnackListener): () => void {
  snackListeners.add(listener);
  return () => snackListeners.delete(listener);
}
