import { BadCase, withApi, withRedis } from "./types";

export const containerCases: BadCase[] = [
  {
    name: "restart missing in prod",
    lesson: "after a host reboot Redis stayed down (Docker's default restart policy is no)",
    stack: withRedis((p) => {
      delete p.restart;
    }),
    expect: [{ policy: "container-restart-policy", message: /restart unset/ }],
  },
  {
    name: 'restart "no" in prod',
    lesson: "same outage, explicit",
    stack: withApi((p) => {
      p.restart = "no";
    }),
    expect: [{ policy: "container-restart-policy", message: /restart "no"/ }],
  },
  {
    name: "on-failure without maxRetryCount",
    lesson: "a crash loop restarted for days and hid the failure",
    stack: withApi((p) => {
      p.restart = "on-failure";
    }),
    expect: [{ policy: "container-restart-policy", message: /maxRetryCount/ }],
  },
  {
    name: "image redis:latest",
    lesson: "latest jumped a major version on a host rebuild",
    stack: withRedis((p) => {
      p.image = "redis:latest";
    }),
    expect: [{ policy: "container-image-pinned", message: /floating tag ":latest"/ }],
  },
  {
    name: "image redis (untagged)",
    lesson: "untagged means latest",
    stack: withRedis((p) => {
      p.image = "redis";
    }),
    expect: [{ policy: "container-image-pinned", message: /has no tag/ }],
  },
  {
    name: "image myapp:latest",
    lesson: "the API image tag was overwritten by a CI run from a branch",
    stack: withApi((p) => {
      p.image = "myapp:latest";
    }),
    expect: [{ policy: "container-image-pinned" }],
  },
  {
    name: "image localhost:5000/myapp (registry port, no tag)",
    lesson: "the colon of the registry port is not a tag",
    stack: withApi((p) => {
      p.image = "localhost:5000/myapp";
    }),
    expect: [{ policy: "container-image-pinned", message: /has no tag/ }],
  },
  {
    name: "privileged container",
    lesson: "copied from a Docker-in-Docker example",
    stack: withApi((p) => {
      p.privileged = true;
    }),
    expect: [{ policy: "container-not-privileged", message: /privileged/ }],
  },
  {
    name: "docker.sock mounted into the API",
    lesson: "a compromised dependency owned the host through the socket",
    stack: withApi((p) => {
      p.mounts = [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" }];
    }),
    expect: [{ policy: "container-no-sensitive-mounts", message: /docker\.sock/ }],
  },
  {
    name: "host / mounted as a volume",
    lesson: "a backup sidecar mounted the whole filesystem",
    stack: withRedis((p) => {
      p.volumes = [{ hostPath: "/", containerPath: "/host" }];
    }),
    expect: [{ policy: "container-no-sensitive-mounts", message: /host path \// }],
  },
  {
    name: "no memory limit in prod",
    lesson: "Redis grew without maxmemory until the OOM killer took the API with it",
    stack: withRedis((p) => {
      delete p.memory;
    }),
    expect: [{ policy: "container-memory-limit" }],
  },
  {
    name: "no log rotation",
    lesson: "a json-file log filled the disk and Redis could not write its AOF",
    stack: withApi((p) => {
      delete p.logOpts;
    }),
    expect: [{ policy: "container-log-rotation", message: /max-size and max-file/ }],
  },
];
