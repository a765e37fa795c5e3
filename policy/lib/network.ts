/** Address and port helpers for the exposure rules. */

/** Docker publishes on every interface when a port's `ip` is unset. */
export function isLoopback(ip: string | undefined): boolean {
  if (ip === undefined || ip === "") {
    return false;
  }
  const v = ip
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  return (
    v === "localhost" ||
    v === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v) ||
    v === "::ffff:127.0.0.1"
  );
}

/** True for a CIDR that matches every address: 0.0.0.0/0, ::/0 (any spelling). */
export function isWorldCidr(cidr: string): boolean {
  const [addr, prefix] = cidr.trim().split("/");
  if (prefix === undefined || Number(prefix) !== 0) {
    return false;
  }
  return addr !== undefined && (addr.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(addr));
}

/** Whether an ingress rule (protocol, from/to port) lets traffic reach `port`. */
export function ruleCoversPort(
  protocol: unknown,
  fromPort: unknown,
  toPort: unknown,
  port: number,
): boolean {
  const proto = String(protocol ?? "").toLowerCase();
  if (proto === "-1" || proto === "all") {
    return true;
  }
  if (proto !== "tcp" && proto !== "6") {
    return false;
  }
  const from = typeof fromPort === "number" ? fromPort : 0;
  const to = typeof toPort === "number" ? toPort : 65535;
  return from <= port && port <= to;
}
