/**
 * Issue #10's classes, as plain provider resources: what the stack's config refuses first
 * must also be refused on any docker.Container the pack sees.
 */
import { secret } from "../../../gate";
import { REDIS_PW, SECRET_KEY } from "./base";
import { BadCase, withApi } from "./types";

const probe = (tests: string[]) =>
  withApi((p) => {
    p.healthcheck = { ...(p.healthcheck as Record<string, unknown>), tests };
  });

export const configClassCases: BadCase[] = [
  {
    name: "curl probe without --fail",
    lesson: "curl exits 0 on HTTP 500: the API answered 500 for an hour and stayed healthy",
    stack: probe(["CMD", "curl", "-s", "http://127.0.0.1:3003/health"]),
    expect: [{ policy: "container-healthcheck-required", message: /curl without --fail/ }],
  },
  {
    name: 'healthcheck ["CMD-SHELL", ""]',
    lesson: "sh -c '' exits 0: a probe that can never fail",
    stack: probe(["CMD-SHELL", ""]),
    expect: [{ policy: "container-healthcheck-required" }],
  },
  {
    name: "probe on :3003 after the app moved to another port",
    lesson: "api.port changed to 8080; the probe never passed and every deploy timed out",
    stack: withApi((p) => {
      p.ports = [{ internal: 8080, external: 8080, ip: "127.0.0.1", protocol: "tcp" }];
      p.envs = secret([`REDIS_PASSWORD=${REDIS_PW}`, `SECRET_KEY=${SECRET_KEY}`, "PORT=8080"]);
    }),
    expect: [{ policy: "container-healthcheck-required", message: /probes port 3003/ }],
  },
  {
    name: "Authorization: Bearer header in the probe",
    lesson: "docker inspect showed the token to everyone with access to the host",
    stack: probe([
      "CMD",
      "curl",
      "-fsS",
      "-H",
      "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0",
      "http://127.0.0.1:3003/health",
    ]),
    expect: [{ policy: "no-secrets-in-command", message: /bearer token/ }],
  },
];
