/**
 * Redis's authentication state as a config builds it: ACL users (`user` lines, `requirepass`),
 * the passwords found on the way, and the directives that pull in more config (`include`,
 * `aclfile`). redis-auth.ts feeds it the server's arguments and files and reads the verdict.
 */
import { splitConfigArgs } from "./redis-inputs";

/**
 * One ACL user as far as "can it log in without a password" goes: Redis admits a user that is
 * `on` and `nopass`, and nothing else decides it (redis.io, ACL docs: "nopass: the user is
 * considered to have no password"; `>pw` and `#hash` clear it; `resetpass` and `reset` clear
 * it and the passwords). Which passwords a user has is never needed, so it is not kept.
 */
export interface AclUser {
  enabled: boolean;
  nopass: boolean;
}

export interface FoundPassword {
  /** Where the password was found, for messages (never the value). */
  readonly where: string;
  readonly value: string;
}

/** What one analysis has found so far. */
export interface State {
  users: Map<string, AclUser>;
  passwords: FoundPassword[];
  unknownFields: Set<string>;
  unresolved: string[];
  notes: string[];
}

export function user(st: State, name: string): AclUser {
  let u = st.users.get(name);
  if (!u) {
    u = { enabled: false, nopass: false };
    st.users.set(name, u);
  }
  return u;
}

export function applyAclRules(
  st: State,
  name: string,
  rules: readonly string[],
  where: string,
): void {
  const u = user(st, name);
  for (const r of rules) {
    if (r === "on") {
      u.enabled = true;
    } else if (r === "off") {
      u.enabled = false;
    } else if (r === "nopass") {
      u.nopass = true;
    } else if (r === "resetpass") {
      u.nopass = false;
    } else if (r === "reset") {
      Object.assign(u, { enabled: false, nopass: false });
    } else if (r.startsWith(">")) {
      u.nopass = false;
      st.passwords.push({ where: `${where} (ACL user "${name}")`, value: r.slice(1) });
    } else if (r.startsWith("#")) {
      u.nopass = false;
    }
    // `<pw` and `!hash` remove a password; they never make a user open, so they change nothing here.
  }
}

export type FileLookup = (path: string, what: string) => string | undefined;

export function applyDirective(
  st: State,
  args: readonly string[],
  where: string,
  file: FileLookup,
): void {
  const [rawName, ...rest] = args;
  const name = rawName?.toLowerCase();
  if (name === "requirepass") {
    const pw = rest[0] ?? "";
    const d = user(st, "default");
    if (pw === "") {
      d.nopass = true;
    } else {
      d.nopass = false;
      st.passwords.push({ where: `${where} (requirepass)`, value: pw });
    }
  } else if (name === "user" && rest[0] !== undefined) {
    applyAclRules(st, rest[0], rest.slice(1), where);
  } else if (name === "include" && rest[0]) {
    applyConfigText(st, file(rest[0], "included config file"), rest[0], file);
  } else if (name === "aclfile" && rest[0]) {
    applyConfigText(st, file(rest[0], "ACL file"), rest[0], file, true);
  }
}

export function applyConfigText(
  st: State,
  text: string | undefined,
  where: string,
  file: FileLookup,
  aclOnly = false,
): void {
  if (text === undefined) {
    return;
  }
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) {
      continue;
    }
    const args = splitConfigArgs(t);
    if (aclOnly && args[0]?.toLowerCase() !== "user") {
      continue;
    }
    applyDirective(st, args, where, file);
  }
}
