/**
 * Reading a container's `securityOpts` the way the Docker daemon does.
 *
 * moby/moby daemon/daemon_unix.go, parseSecurityOpt: options are applied in order, so the last
 * one wins; `no-new-privileges` alone means true; otherwise the key and value are split at the
 * first `=` or, deprecated, the first `:`; `no-new-privileges=<v>` goes through Go's
 * strconv.ParseBool; `apparmor=`, `seccomp=` set the profile; `label=` (and a bare `disable`)
 * feed SELinux labelling, where `disable` turns it off. `Daemon.parseSecurityOpt` starts from the
 * daemon's own `no-new-privileges` setting, which a policy cannot see, so only an explicit option
 * counts here.
 */

export interface SecurityOpts {
  /** The effective no-new-privileges setting, undefined when no option sets it. */
  readonly noNewPrivileges: boolean | undefined;
  readonly seccomp: string | undefined;
  readonly apparmor: string | undefined;
  readonly labelDisabled: boolean;
}

/** strconv.ParseBool's accepted spellings. */
const GO_BOOL: Readonly<Record<string, boolean>> = {
  "1": true,
  t: true,
  T: true,
  true: true,
  TRUE: true,
  True: true,
  "0": false,
  f: false,
  F: false,
  false: false,
  FALSE: false,
  False: false,
};

/** Go's strconv.ParseBool: the value a Go program reads from `v`, or undefined if it refuses it. */
export const goParseBool = (v: unknown): boolean | undefined =>
  typeof v === "string" && Object.hasOwn(GO_BOOL, v) ? GO_BOOL[v] : undefined;

export function parseSecurityOpts(opts: readonly unknown[]): SecurityOpts {
  let noNewPrivileges: boolean | undefined;
  let seccomp: string | undefined;
  let apparmor: string | undefined;
  let labelDisabled = false;
  for (const opt of opts) {
    if (typeof opt !== "string") continue;
    if (opt === "no-new-privileges") {
      noNewPrivileges = true;
      continue;
    }
    if (opt === "disable") {
      labelDisabled = true;
      continue;
    }
    const sep = opt.includes("=") ? "=" : opt.includes(":") ? ":" : undefined;
    if (sep === undefined) continue; // the daemon refuses it: "invalid --security-opt 1"
    const i = opt.indexOf(sep);
    const k = opt.slice(0, i);
    const v = opt.slice(i + 1);
    if (k === "no-new-privileges") {
      const b = goParseBool(v);
      if (b !== undefined) noNewPrivileges = b; // else the daemon refuses the container
    } else if (k === "seccomp") {
      seccomp = v;
    } else if (k === "apparmor") {
      apparmor = v;
    } else if (k === "label" && v === "disable") {
      labelDisabled = true;
    }
  }
  return { noNewPrivileges, seccomp, apparmor, labelDisabled };
}
