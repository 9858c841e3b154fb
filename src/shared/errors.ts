/** The message of an error for the user: an Error's message, anything else as text. Pure. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
