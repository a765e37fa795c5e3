/**
 * Edge-proxy deployments (issues 13 and 25). Each bad case changes one setting of a good edge
 * stack (edge-base.ts), named in `twin`; edge.test.ts checks that, and that every twin is in
 * `edgeGoodCases`. Sources for each belief are in policy/rules/edge.ts and policy/lib/edge*.ts.
 */
import { ResourceRecord, UNKNOWN } from "../../../gate";
import { EDGE_STATE } from "../../../components/lib/edge-live";
import { edgeStack, EdgeOpts, frontend } from "./edge-base";
import { BadCase, GoodCase } from "./types";

type Props = Record<string, unknown>;

export interface EdgeCase extends BadCase {
  /** The good edge stack this case changes by one setting. */
  readonly twin: readonly ResourceRecord[];
}

/** The installer given a network: Docker's default bridge, as with `networkMode` unset. */
const networked = (p: Props) => {
  delete p.networkMode;
};

const GOOD: Record<string, EdgeOpts> = {
  haproxy: {},
  "haproxy-preview": { preview: true },
  "haproxy-self": { kind: "haproxy-self" },
  "installer-networked": { installer: networked },
  nginx: { kind: "nginx" },
  caddy: { kind: "caddy" },
  acme: { acme: {} },
};

export const edgeGoodCases: GoodCase[] = [
  {
    name: "Edge: HAProxy serving what its installer put on the state volume, before 2 API replicas and a worker",
    stack: edgeStack(),
  },
  {
    name: "Edge: the HAProxy stack at first preview, network and volume names unknown, matched by dependency",
    stack: edgeStack(GOOD["haproxy-preview"]),
  },
  {
    name: "Edge: HAProxy with its config uploaded to the proxy itself",
    stack: edgeStack(GOOD["haproxy-self"]),
  },
  {
    name: "Edge: the installer on a network is judged as a proxy too, and its config passes",
    stack: edgeStack(GOOD["installer-networked"]),
  },
  {
    name: "Edge: nginx with an upstream block and ssl_protocols TLSv1.2 TLSv1.3",
    stack: edgeStack(GOOD.nginx),
  },
  { name: "Edge: Caddy reverse_proxy with its default TLS floor", stack: edgeStack(GOOD.caddy) },
  {
    name: "Edge: HAProxy routing ACME challenges to one lego issuer (edge.tls: acme)",
    stack: edgeStack(GOOD.acme),
  },
];

/** Replaces the content of the config upload (the *.cfg, *.conf or Caddyfile one). */
const config = (edit: (text: string) => string) => (p: Props) => {
  p.uploads = (p.uploads as Props[]).map((u) =>
    /\.(cfg|conf)$|Caddyfile$/.test(String(u.file))
      ? { ...u, content: edit(String(u.content)) }
      : u,
  );
};

function edge(
  name: string,
  lesson: string,
  good: keyof typeof GOOD,
  change: EdgeOpts,
  expect: BadCase["expect"],
): EdgeCase {
  return {
    name,
    lesson,
    stack: edgeStack({ ...GOOD[good], ...change }),
    twin: edgeStack(GOOD[good]),
    expect,
  };
}

const P = {
  publish: "edge-web-services-publish-nothing",
  ports: "edge-proxy-ports",
  tls: "edge-proxy-tls-floor",
  replicas: "edge-web-replicas",
};

export const edgeCases: EdgeCase[] = [
  edge(
    "a web replica publishes 3003 beside the proxy",
    "the old single-API port stayed published, so clients skipped TLS and the deploy could not create-before-delete",
    "haproxy",
    {
      replica: {
        i: 1,
        mutate: (p) => {
          p.ports = [{ internal: 3003, external: 3003, ip: "0.0.0.0", protocol: "tcp" }];
        },
      },
    },
    [{ policy: P.publish, message: /"api-1".*publishes host port\(s\) 3003.*routes to "api"/ }],
  ),
  edge(
    "an nginx upstream's replica publishes 3003",
    "the upstream block named the alias; the replica still published its port",
    "nginx",
    {
      replica: {
        i: 2,
        mutate: (p) => {
          p.ports = [{ internal: 3003, external: 3003 }];
        },
      },
    },
    [{ policy: P.publish, message: /"api-2".*routes to "api"/ }],
  ),
  edge(
    "the proxy publishes 8080 in prod",
    "a debug port left on the proxy served plain HTTP to the internet",
    "haproxy",
    {
      proxy: (p) => {
        p.ports = [{ internal: 8080, external: 8080, ip: "0.0.0.0", protocol: "tcp" }];
      },
    },
    [{ policy: P.ports, message: /host port 8080.*only 80 and 443/ }],
  ),
  edge(
    "the proxy's HTTPS port has no external port",
    "Docker picked a random host port and 443 answered nothing",
    "haproxy",
    {
      proxy: (p) => {
        p.ports = [
          { internal: 8080, external: 80, ip: "0.0.0.0", protocol: "tcp" },
          { internal: 8443, ip: "0.0.0.0", protocol: "tcp" },
        ];
      },
    },
    [{ policy: P.ports, message: /ports\[1\]\.external.*unset/ }],
  ),
  edge(
    "HAProxy ssl-min-ver TLSv1.0",
    "an old client list kept TLS 1.0 on",
    "haproxy-self",
    { proxy: config((t) => t.replace("ssl-min-ver TLSv1.2", "ssl-min-ver TLSv1.0")) },
    [{ policy: P.tls, message: /ssl-min-ver TLSv1\.0.*below TLS 1\.2/ }],
  ),
  edge(
    "HAProxy force-tlsv11",
    "a copied bind line pinned TLS 1.1",
    "haproxy",
    { installer: config((t) => t.replace("alpn h2,http/1.1", "alpn h2,http/1.1 force-tlsv11")) },
    [{ policy: P.tls, message: /force-tlsv11/ }],
  ),
  edge(
    "HAProxy ssl-max-ver TLSv1.1",
    "a max version meant as a min",
    "haproxy",
    { installer: config((t) => t.replace("no-tls-tickets", "no-tls-tickets ssl-max-ver TLSv1.1")) },
    [{ policy: P.tls, message: /ssl-max-ver TLSv1\.1/ }],
  ),
  edge(
    "HAProxy without an ssl bind",
    "the proxy served the API over plain HTTP on 443",
    "haproxy",
    { installer: config((t) => t.replace(/ ssl crt \S+/, "")) },
    [{ policy: P.tls, message: /no `bind … ssl crt <pem>` line/ }],
  ),
  edge(
    "haproxy.cfg bind-mounted from the host over the upload",
    "a hand-edited file on the host, never reviewed, was what ran",
    "haproxy-self",
    {
      proxy: (p) => {
        p.mounts = [
          {
            type: "bind",
            source: "/srv/edge/haproxy",
            target: "/usr/local/etc/haproxy",
            readOnly: true,
          },
        ];
      },
    },
    [
      {
        policy: P.tls,
        message: /cannot be verified: \/usr\/local\/etc\/haproxy is mounted from the host/,
      },
    ],
  ),
  edge(
    "haproxy.cfg not uploaded",
    "the config lived in a volume nobody reviewed",
    "haproxy-self",
    {
      proxy: (p) =>
        (p.uploads = (p.uploads as Props[]).filter((u) => !/\.cfg$/.test(String(u.file)))),
    },
    [
      {
        policy: P.tls,
        message: /no `uploads` entry holds haproxy\.cfg.*Fix: upload the rendered config/,
      },
    ],
  ),
  edge(
    "haproxy.cfg content unknown at preview",
    "the config was built from another resource's output and never seen before the deploy",
    "haproxy-preview",
    { installer: config(() => UNKNOWN) },
    [{ policy: P.tls, message: /content of the upload .*haproxy\.cfg.*unknown at preview/ }],
  ),
  edge(
    "nginx ssl_protocols TLSv1 TLSv1.1 TLSv1.2",
    "the pre-1.23.4 default, written out",
    "nginx",
    {
      proxy: config((t) =>
        t.replace("ssl_protocols TLSv1.2 TLSv1.3", "ssl_protocols TLSv1 TLSv1.1 TLSv1.2"),
      ),
    },
    [{ policy: P.tls, message: /enables TLSv1, TLSv1\.1/ }],
  ),
  edge(
    "nginx without ssl_protocols",
    "the floor was whatever the image's nginx defaulted to",
    "nginx",
    { proxy: config((t) => t.replace("    ssl_protocols TLSv1.2 TLSv1.3;\n", "")) },
    [{ policy: P.tls, message: /sets no `ssl_protocols`/ }],
  ),
  edge(
    "Caddy protocols tls1.0",
    "a compatibility switch left on",
    "caddy",
    {
      proxy: config((t) =>
        t.replace("  tls /etc", "  tls {\n    protocols tls1.0\n  }\n  tls /etc"),
      ),
    },
    [{ policy: P.tls, message: /protocols tls1\.0/ }],
  ),
  edge(
    "prod with one API replica",
    "every deploy and every crash was an outage behind a proxy that had nowhere else to go",
    "haproxy",
    { replicas: 1 },
    [{ policy: P.replicas, message: /routes to "api", which only api-1 carries.*1 < 2/ }],
  ),
  edge(
    "a replica's aliases unknown at preview",
    "aliases from another resource's output cannot be counted",
    "haproxy-preview",
    {
      replica: {
        i: 2,
        mutate: (p) => (p.networksAdvanced = [{ name: UNKNOWN, aliases: UNKNOWN }]),
      },
    },
    [{ policy: P.replicas, message: /network aliases of container "api-2".*unknown at preview/ }],
  ),
  edge(
    "the ACME backend's one container is not an ACME client",
    "a challenge route is exempt from replicas only because an ACME client answers it; any other single service behind it is an outage waiting",
    "acme",
    { acme: { mutate: (p) => (p.image = "ghcr.io/acme/api:1.4.2") } },
    [
      {
        policy: P.replicas,
        message: /routes to "edge-acme", which only edge-acme-issuer carries.*1 < 2/,
      },
    ],
  ),
  edge(
    "the installer is missing",
    "the proxy started on a volume nobody had installed a config on, and served nothing",
    "haproxy",
    { noInstaller: true },
    [
      {
        policy: P.tls,
        message:
          /no `uploads` entry holds haproxy\.cfg.*, and no other container that mounts its volume "edge-state-5f2c9e1" uploads one.*Fix: .*exactly one other container/,
      },
    ],
  ),
  edge(
    "the installer's haproxy.cfg allows TLS 1.0",
    "the floor moved to the installer with the config, and was lowered there",
    "haproxy",
    { installer: config((t) => t.replace("ssl-min-ver TLSv1.2", "ssl-min-ver TLSv1.0")) },
    [
      {
        policy: P.tls,
        message:
          /"edge-proxy".*haproxy\.cfg uploaded to container "edge-config".*ssl-min-ver TLSv1\.0.*below TLS 1\.2/,
      },
    ],
  ),
  edge(
    "two installers on one volume",
    "a copied installer kept writing an old config over the new one",
    "haproxy",
    { secondInstaller: true },
    [{ policy: P.tls, message: /containers "edge-config" and "edge-config-2" each upload/ }],
  ),
  edge(
    "the proxy and the installer on different volumes",
    "a renamed volume left the installer writing where the proxy no longer looked",
    "haproxy",
    {
      installer: (p) =>
        (p.volumes = [{ volumeName: "edge-state-old", containerPath: EDGE_STATE.dir }]),
    },
    [
      {
        policy: P.tls,
        message: /no other container that mounts its volume "edge-state-5f2c9e1" uploads one/,
      },
    ],
  ),
  edge(
    "at preview the installer's volume comes from another resource",
    "a volume name computed from something else cannot be matched to the proxy's",
    "haproxy-preview",
    { installerVolumeFrom: frontend.urn },
    [
      {
        policy: P.tls,
        message: /`volumes\[0\]\.volumeName` of container "edge-config".*unknown at preview/,
      },
    ],
  ),
  edge(
    "the networked installer publishes a port",
    "a container of the proxy image on a network serves what it is given, so it is an edge proxy",
    "installer-networked",
    {
      installer: (p) => {
        networked(p);
        p.ports = [{ internal: 8443, external: 8443, ip: "0.0.0.0" }];
      },
    },
    [{ policy: P.ports, message: /"edge-config".*host port 8443.*only 80 and 443/ }],
  ),
];
