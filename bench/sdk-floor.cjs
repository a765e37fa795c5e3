// `npm run bench`'s reference floor for the program rows: @pulumi/pulumi under its own public
// mocks (pulumi.runtime.setMocks) registering N plain docker.Container resources, with no config,
// no components and no validation. What it costs above the baseline is the SDK's registration:
// @pulumi/pulumi runtime/rpc.js transferProperties makes four debuggablePromises for every input
// property (undefined ones too; a Container sets 78 keys), and runtime/debuggable.js
// debuggablePromise formats `new Error().stack` for each (docs/testing.md).
//   node bench/sdk-floor.cjs 25
"use strict";
const pulumi = require("@pulumi/pulumi");
pulumi.runtime.setMocks(
  { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs },
  "floor",
  "bench",
  false,
);
const docker = require("@pulumi/docker");
const n = Number(process.argv[2] ?? 25);
const urns = [];
for (let i = 0; i < n; i++) {
  const c = new docker.Container(`c${i}`, {
    image: "redis:7.4.2",
    envs: ["A=1"],
    restart: "unless-stopped",
    healthcheck: { tests: ["CMD", "true"], interval: "10s" },
  });
  urns.push(new Promise((resolve) => c.urn.apply(resolve)));
}
Promise.all(urns).then(() => undefined);
