package io.isthmus.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code isthmus policy eval} over YAML directories in a temporary directory: stdout, stderr and exit codes. */
class PolicyCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static final String WORLD = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, labels: {team: shop}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: data}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: shop, labels: {app: web}}
            spec:
              containers:
              - name: web
                image: nginx
                ports: [{name: http, containerPort: 8080}]
            status: {podIP: 10.1.0.1}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: api, namespace: shop, labels: {app: api}}
            spec:
              containers:
              - name: api
                image: api
                ports: [{name: grpc, containerPort: 9090}]
            status: {podIP: 10.1.0.2}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: db, namespace: data, labels: {app: db}}
            spec:
              containers:
              - name: db
                image: postgres
                ports: [{name: sql, containerPort: 5432}]
            status: {podIP: 10.1.0.3}
            """;

    private static final String POLICIES = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: default-deny, namespace: shop}
            spec:
              podSelector: {}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-web, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress:
              - from:
                - podSelector: {matchLabels: {app: api}}
                ports: [{port: http}]
              - from:
                - ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db-egress, namespace: data}
            spec:
              podSelector: {matchLabels: {app: db}}
              policyTypes: [Egress]
              egress:
              - to:
                - namespaceSelector: {matchLabels: {team: shop}}
                  podSelector: {matchLabels: {app: api}}
                ports: [{protocol: TCP, port: 9000, endPort: 9100}]
            """;

    @BeforeEach
    void writeWorld() throws IOException {
        Files.writeString(dir.resolve("world.yaml"), WORLD);
        Files.writeString(dir.resolve("policies.yaml"), POLICIES);
    }

    private int run(String... args) {
        return new PolicyCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("an allowed connection: ALLOW, then the rule that allowed it")
    void allowed() {
        assertEquals(0, run("eval", "-f", dir.toString(), "--from", "shop/api", "--to", "shop/web", "--port", "8080"));
        assertEquals("""
                ALLOW
                egress: allowed: no policy isolates shop/api for egress
                ingress: allowed by shop/allow-web rule 0
                """, stdout());
    }

    @Test
    @DisplayName("a denied connection: DENY, then the isolating policies")
    void denied() {
        assertEquals(0, run("eval", "-f", dir.toString(), "--from", "data/db", "--to", "shop/api", "--port", "9090/TCP"));
        assertEquals("""
                DENY
                egress: allowed by data/db-egress rule 0
                ingress: denied: isolated by shop/default-deny, no rule matches
                """, stdout());
        out.reset();
        assertEquals(0, run("eval", "-f", dir.toString(), "--from", "shop/api", "--to", "shop/web", "--port", "8080/udp"));
        assertTrue(stdout().startsWith("DENY\n"), stdout());
    }

    @Test
    @DisplayName("--to-ip / --from-ip: external addresses against ipBlock with except; pod addresses are the pods")
    void addresses() {
        assertEquals(0, run("eval", "-f", dir.toString(), "--from-ip", "203.0.113.9", "--to-ip", "10.1.0.1", "--port", "80"));
        assertEquals("""
                ALLOW
                egress: not checked: source 203.0.113.9 is not a local pod
                ingress: allowed by shop/allow-web rule 1
                """, stdout());
        out.reset();
        assertEquals(0, run("eval", "-f", dir.toString(), "--from-ip", "203.0.113.200", "--to", "shop/web", "--port", "80"));
        assertTrue(stdout().startsWith("DENY\n"), stdout());
        out.reset();
        assertEquals(0, run("eval", "-f", dir.toString(), "--from", "data/db", "--to-ip", "8.8.8.8", "--port", "53/UDP"));
        assertEquals("""
                DENY
                egress: denied: isolated by data/db-egress, no rule matches
                ingress: not checked: destination 8.8.8.8 is not a local pod
                """, stdout());
    }

    @Test
    @DisplayName("--node-ip: the pod's own node always reaches it")
    void node() {
        assertEquals(0, run("eval", "-f", dir.toString(), "--from-ip", "192.168.0.10", "--to", "shop/api", "--port", "9090", "--node-ip", "192.168.0.10"));
        assertEquals("""
                ALLOW
                egress: not checked: source 192.168.0.10 is not a local pod
                ingress: allowed: from the pod's own node (192.168.0.10)
                """, stdout());
    }

    @Test
    @DisplayName("--matrix: one line per ordered pair of distinct pods")
    void matrix() {
        assertEquals(0, run("eval", "-f", dir.toString(), "--matrix", "--port", "9090"));
        assertEquals("""
                data/db shop/api DENY
                data/db shop/web DENY
                shop/api data/db ALLOW
                shop/api shop/web DENY
                shop/web data/db ALLOW
                shop/web shop/api DENY
                """, stdout());
        out.reset();
        assertEquals(0, run("eval", "-f", dir.toString(), "--matrix", "--port", "8080"));
        assertTrue(stdout().contains("shop/api shop/web ALLOW\n"), stdout());
        assertTrue(stdout().contains("data/db shop/web DENY\n"), stdout());
    }

    private void expectInputError(String yaml, String... expectedInStderr) throws IOException {
        Files.writeString(dir.resolve("zz-bad.yaml"), yaml);
        assertEquals(2, run("eval", "-f", dir.toString(), "--matrix", "--port", "80"));
        assertEquals("", stdout());
        for (String expected : expectedInStderr) {
            assertTrue(stderr().contains(expected), "stderr should contain <" + expected + ">: " + stderr());
        }
    }

    @Test
    @DisplayName("invalid YAML: exit 2, the file is named")
    void invalidYaml() throws IOException {
        expectInputError("apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n", "zz-bad.yaml document 0", "invalid YAML");
    }

    private static String policy(String spec) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: bad, namespace: shop}
                spec:
                """ + spec.indent(2);
    }

    @Test
    @DisplayName("a bad selector operator: exit 2, file, object and field named")
    void badOperator() throws IOException {
        expectInputError(policy("""
                podSelector:
                  matchExpressions: [{key: app, operator: Equals, values: [web]}]
                """), "zz-bad.yaml document 0 (NetworkPolicy shop/bad): spec.podSelector.matchExpressions[0].operator: 'Equals' is not one of In, NotIn, Exists, DoesNotExist");
    }

    @Test
    @DisplayName("a bad CIDR: exit 2")
    void badCidr() throws IOException {
        expectInputError(policy("""
                podSelector: {}
                ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/40}}]}]
                """), "(NetworkPolicy shop/bad): spec.ingress[0].from[0].ipBlock.cidr: '10.0.0.0/40' is not a valid CIDR");
    }

    @Test
    @DisplayName("endPort without port, and a named port with endPort: exit 2")
    void badEndPorts() throws IOException {
        expectInputError(policy("""
                podSelector: {}
                ingress: [{ports: [{endPort: 90}, {port: http, endPort: 90}]}]
                """), "spec.ingress[0].ports[0].endPort: may not be specified when port is not",
                "spec.ingress[0].ports[1].endPort: may not be used with a named port");
    }

    @Test
    @DisplayName("a bad protocol, an except outside the cidr, an unknown field: exit 2")
    void otherInvalidPolicies() throws IOException {
        expectInputError(policy("""
                podSelector: {}
                egress:
                - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/8]}}]
                  ports: [{protocol: ICMP}]
                - tos: []
                """), "spec.egress[0].ports[0].protocol: 'ICMP' is not TCP, UDP or SCTP",
                "spec.egress[1]: unknown field 'tos'");
        err.reset();
        expectInputError(policy("""
                podSelector: {}
                egress:
                - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/8]}}]
                """), "spec.egress[0].to[0].ipBlock.except[0]: 11.0.0.0/8 must be a strict subset of cidr 10.0.0.0/8");
    }

    @Test
    @DisplayName("bad usage: exit 2 with the usage text")
    void badUsage() {
        assertEquals(2, run("eval", "--matrix", "--port", "80"));
        assertTrue(stderr().contains("-f DIR is required"), stderr());
        assertTrue(stderr().contains("usage: isthmus policy eval"), stderr());
        assertEquals(2, run("eval", "-f", dir.toString(), "--from", "shop/web", "--to", "shop/api", "--port", "80/ICMP"));
        assertEquals(2, run("eval", "-f", dir.toString(), "--from", "shop/web", "--to", "shop/api", "--port", "0"));
        assertEquals(2, run("eval", "-f", dir.toString(), "--from", "shop/web", "--port", "80"));
        assertEquals(2, run("eval", "-f", dir.toString(), "--from-ip", "10.1.0.x", "--to", "shop/web", "--port", "80"));
        assertEquals(2, run("frobnicate"));
        assertEquals("", stdout());
    }

    @Test
    @DisplayName("an unknown pod or a missing directory: exit 2")
    void unknownThings() {
        assertEquals(2, run("eval", "-f", dir.toString(), "--from", "shop/nope", "--to", "shop/web", "--port", "80"));
        assertTrue(stderr().contains("no pod shop/nope in the directory"), stderr());
        assertEquals(2, run("eval", "-f", dir.resolve("missing").toString(), "--matrix", "--port", "80"));
        assertTrue(stderr().contains("no such file or directory"), stderr());
    }

    @Test
    @DisplayName("the upstream x/y/z model as YAML: the matrix matches the truth table (named port, namespaceSelector)")
    void upstreamModelAsYaml() throws IOException {
        final Path model = dir.resolve("model");
        Files.createDirectories(model);
        final StringBuilder yaml = new StringBuilder();
        int n = 0;
        for (String ns : new String[] {"x", "y", "z"}) {
            n++;
            yaml.append("apiVersion: v1\nkind: Namespace\nmetadata: {name: ").append(ns).append(", labels: {ns: ").append(ns).append("}}\n---\n");
            int p = 0;
            for (String pod : new String[] {"a", "b", "c"}) {
                p++;
                yaml.append("apiVersion: v1\nkind: Pod\nmetadata: {name: ").append(pod).append(", namespace: ").append(ns)
                        .append(", labels: {pod: ").append(pod).append("}}\nspec:\n  containers:\n");
                for (String proto : new String[] {"TCP", "UDP", "SCTP"}) {
                    for (int port : new int[] {80, 81}) {
                        yaml.append("  - {name: cont-").append(port).append("-").append(proto.toLowerCase()).append(", image: agnhost, ports: [{name: serve-")
                                .append(port).append("-").append(proto.toLowerCase()).append(", containerPort: ").append(port)
                                .append(", protocol: ").append(proto).append("}]}\n");
                    }
                }
                yaml.append("status: {podIP: 10.0.").append(n).append(".").append(p).append("}\n---\n");
            }
        }
        yaml.append("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: allow-80-from-y, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]
                    ports: [{port: serve-80-tcp}]
                """);
        Files.writeString(model.resolve("model.yaml"), yaml.toString());
        assertEquals(0, run("eval", "-f", model.toString(), "--matrix", "--port", "80/TCP"));
        assertEquals(matrixLines("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   X    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """), stdout());
        out.reset();
        assertEquals(0, run("eval", "-f", model.toString(), "--matrix", "--port", "80/UDP"));
        // serve-80-tcp names a TCP port: UDP to x/a matches no rule, from anyone.
        assertEquals(8, stdout().lines().filter(line -> line.endsWith(" x/a DENY")).count(), stdout());
        assertEquals(8, stdout().lines().filter(line -> line.endsWith("DENY")).count(), stdout());
    }

    /** A truth table (rows from, columns to; . allowed, X denied, - self) as the --matrix lines, sorted. */
    private static String matrixLines(String table) {
        final String[] rows = table.strip().split("\n");
        final String[] columns = rows[0].strip().split("\\s+");
        final java.util.List<String> lines = new java.util.ArrayList<>();
        for (int r = 1; r < rows.length; r++) {
            final String[] cells = rows[r].strip().split("\\s+");
            for (int c = 1; c < cells.length; c++) {
                if (!cells[c].equals("-")) {
                    lines.add(cells[0] + " " + columns[c - 1] + " " + (cells[c].equals(".") ? "ALLOW" : "DENY"));
                }
            }
        }
        lines.sort(null);
        return String.join("\n", lines) + "\n";
    }

    @Test
    @DisplayName("the verb is registered in Main")
    void registered() {
        assertTrue(Main.subcommands().stream().anyMatch(c -> c.name().equals("policy")));
    }
}
