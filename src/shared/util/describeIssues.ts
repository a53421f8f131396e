/** The parts of a zod issue a message needs (zod's own type is not imported: this file stays dependency-free). */
export interface SchemaIssue {
  code?: string;
  path: ReadonlyArray<PropertyKey>;
  message: string;
  keys?: readonly string[];
}

/** Issues and unknown keys named in one message; the rest are counted (a file of 50,000 stray keys gives one line). */
export const MAX_ISSUES_SHOWN = 8;
export const MAX_KEYS_SHOWN = 5;

/** One name of a key or path, shortened: a hostile key can be megabytes long. */
function shortName(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}…` : name);
}

/** "field.path: problem; …", naming fields only (never a value), at most a few issues and a few unknown keys each. */
export function describeIssues(issues: readonly SchemaIssue[], root = '(root)'): string {
  const lines = issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => {
    const where = issue.path.map((part) => (String(part).length > 60 ? `${String(part).slice(0, 57)}…` : String(part))).join('.') || root;
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      const shown = issue.keys.slice(0, MAX_KEYS_SHOWN).map(shortName).join(', ');
      const more = issue.keys.length > MAX_KEYS_SHOWN ? ` and ${issue.keys.length - MAX_KEYS_SHOWN} more` : '';
      return `${where}: ${issue.keys.length} unknown key${issue.keys.length === 1 ? '' : 's'} (${shown}${more})`;
    }
    return `${where}: ${issue.message.length > 300 ? `${issue.message.slice(0, 297)}…` : issue.message}`;
  });
  const more = issues.length > MAX_ISSUES_SHOWN ? ` (and ${issues.length - MAX_ISSUES_SHOWN} more problems)` : '';
  return `${lines.join('; ')}${more}`;
}
