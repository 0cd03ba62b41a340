/**
 * Who a log entry names (`user:<id>`, `api_key:<id>`, `system`, or an email tried at sign-in), as
 * a person reads it: the member's name or the key's name when known, else the reference itself.
 */
export interface Names {
  users: ReadonlyMap<string, string>;
  apiKeys: ReadonlyMap<string, string>;
}

export type Principal =
  | { kind: "user" | "apiKey"; name: string }
  | { kind: "system" }
  | { kind: "other"; text: string };

export function principal(reference: string, names: Names): Principal {
  if (reference === "system") return { kind: "system" };
  const [prefix, id = ""] = reference.split(/:(.*)/s);
  if (prefix === "user" && names.users.has(id)) return { kind: "user", name: names.users.get(id) ?? id };
  if (prefix === "api_key" && names.apiKeys.has(id)) return { kind: "apiKey", name: names.apiKeys.get(id) ?? id };
  return { kind: "other", text: reference };
}
