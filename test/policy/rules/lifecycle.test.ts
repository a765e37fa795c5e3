import { describe, it } from "vitest";
import {
  containerDestroyGrace,
  publishedPortsReachable,
  redisEntrypointCanRestart,
} from "../../../policy/rules/lifecycle";
import { UNKNOWN } from "../../../gate";
import { apiProps, redisProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertHasStackViolation,
  assertNoResourceViolations,
  assertNoStackViolations,
  createResourceValidationArgs as args,
  createStackValidationArgs as stack,
} from "../util";

const C = T.container;
const api = (change: Record<string, unknown>) => ({ ...apiProps(), ...change });
const redis = (change: Record<string, unknown>, image?: string) => ({
  ...redisProps(image),
  ...change,
});

describe("container-destroy-grace", () => {
  it("passes a grace equal to or above the stop timeout, and one-shot containers", async () => {
    await assertNoResourceViolations(containerDestroyGrace, args(C, apiProps()));
    await assertNoResourceViolations(
      containerDestroyGrace,
      args(C, api({ stopTimeout: undefined, destroyGraceSeconds: 10 })),
    );
    await assertNoResourceViolations(
      containerDestroyGrace,
      args(C, api({ destroyGraceSeconds: undefined, rm: true, attach: true })),
    );
  });
  it("refuses an unset grace, a 0 and one below stopTimeout (Docker's 10 s when unset)", async () => {
    await assertHasResourceViolation(
      containerDestroyGrace,
      args(C, api({ destroyGraceSeconds: undefined })),
      /unset.*immediate SIGKILL.*stopTimeout \(30 s\).*destroyGraceSeconds: 30/s,
    );
    await assertHasResourceViolation(
      containerDestroyGrace,
      args(C, api({ destroyGraceSeconds: 0 })),
      /immediate SIGKILL/,
    );
    await assertHasResourceViolation(
      containerDestroyGrace,
      args(C, api({ destroyGraceSeconds: 29 })),
      /after 29 s/,
    );
    await assertHasResourceViolation(
      containerDestroyGrace,
      args(C, api({ stopTimeout: undefined, destroyGraceSeconds: 9 })),
      /unset, Docker's 10 s/,
    );
  });
  it("reports an unknown grace at its own level instead of going silent", async () => {
    await assertHasResourceViolation(
      containerDestroyGrace,
      args(C, api({ destroyGraceSeconds: UNKNOWN })),
      /destroyGraceSeconds/,
    );
  });
});

describe("redis-entrypoint-can-restart", () => {
  const dropAll = { capabilities: { drops: ["ALL"] } };
  it("passes the redis uid with no capability, and root with default capabilities", async () => {
    await assertNoResourceViolations(
      redisEntrypointCanRestart,
      args(C, redis({ user: "999", ...dropAll })),
    );
    await assertNoResourceViolations(
      redisEntrypointCanRestart,
      args(C, redis({ user: "999:1000", ...dropAll }, "valkey/valkey:8.1-alpine")),
    );
    await assertNoResourceViolations(
      redisEntrypointCanRestart,
      args(C, redis({ user: undefined, capabilities: undefined })),
    );
    await assertNoResourceViolations(
      redisEntrypointCanRestart,
      args(C, redis({ capabilities: { drops: ["ALL"], adds: ["DAC_READ_SEARCH", "CHOWN"] } })),
    );
  });
  it.each([undefined, "", "0", "root", "0:0", "root:redis"])(
    "refuses user %j with drops [ALL]",
    async (user) => {
      await assertHasResourceViolation(
        redisEntrypointCanRestart,
        args(C, redis({ user, ...dropAll })),
        /runs as root with every capability dropped.*user: "999"/s,
      );
    },
  );
  it("also refuses CAP_-prefixed, lower-case drops with CHOWN/SETUID/SETGID added back", async () => {
    await assertHasResourceViolation(
      redisEntrypointCanRestart,
      args(
        C,
        redis({
          user: undefined,
          capabilities: { drops: ["cap_all"], adds: ["CHOWN", "SETGID", "SETUID"] },
        }),
      ),
    );
  });
  it("ignores containers that are not Redis", async () => {
    await assertNoResourceViolations(redisEntrypointCanRestart, args(C, api(dropAll)));
  });
});

describe("published-ports-reachable", () => {
  const internal = { type: T.network, name: "internal", props: { internal: true } };
  const edge = { type: T.network, name: "edge", props: { internal: false } };
  const withPorts = (nets: string[], deps = nets) => ({
    type: C,
    name: "redis",
    props: redis({
      ports: [{ internal: 6379, external: 16379, ip: "127.0.0.1" }],
      networksAdvanced: nets.map((n) => ({ name: `${n}-name` })),
    }),
    propertyDependencies: { networksAdvanced: deps },
  });

  it("passes when one joined network is not internal, or the port is not published", async () => {
    await assertNoStackViolations(
      publishedPortsReachable,
      stack([internal, edge, withPorts(["internal", "edge"])]),
    );
    const noPorts = withPorts(["internal"]);
    await assertNoStackViolations(
      publishedPortsReachable,
      stack([internal, { ...noPorts, props: { ...noPorts.props, ports: [] } }]),
    );
  });
  it("refuses ports on a container whose every network is internal, names unknown or not", async () => {
    await assertHasStackViolation(
      publishedPortsReachable,
      stack([internal, edge, withPorts(["internal"])]),
      /only on internal network\(s\) \(internal\).*moby\/moby#36174/s,
    );
    const unknownNames = withPorts(["internal"]);
    await assertHasStackViolation(
      publishedPortsReachable,
      stack([
        internal,
        {
          ...unknownNames,
          props: { ...unknownNames.props, networksAdvanced: [{ name: UNKNOWN }] },
        },
      ]),
    );
  });
  it("does not judge a network it cannot see (an external one may be routable)", async () => {
    await assertNoStackViolations(
      publishedPortsReachable,
      stack([internal, withPorts(["internal", "elsewhere"], ["internal"])]),
    );
  });
});
