// Extended SQLite result codes (https://sqlite.org/rescode.html).
const SQLITE_CONSTRAINT_FOREIGNKEY = 787;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

function errcode(error: unknown): number | undefined {
  return (error as { errcode?: number } | null)?.errcode;
}

/** True when `error` is a unique (or primary key) violation on `table.column`. */
export function isUniqueViolation(error: unknown, column: string): boolean {
  const code = errcode(error);
  return (
    (code === SQLITE_CONSTRAINT_UNIQUE || code === SQLITE_CONSTRAINT_PRIMARYKEY) &&
    (error as Error).message.includes(column)
  );
}

export function isForeignKeyViolation(error: unknown): boolean {
  return errcode(error) === SQLITE_CONSTRAINT_FOREIGNKEY;
}
