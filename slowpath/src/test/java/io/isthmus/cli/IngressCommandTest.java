package io.isthmus.cli;

import io.isthmus.slowpath.ingress.IngressCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code isthmus ingress route}: every matching case through the command, the default backend, and bad input. */
class IngressCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = new IngressCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyCasePrintsItsBackendOnOneLine() throws Exception {
        final String routes = IngressCases.directory().toString();
        for (IngressCases c : IngressCases.all()) {
            final Run run = run("route", "-f", routes, "--host", c.host(), "--path", c.target());
            assertEquals(0, run.exit(), c + ": " + run.err());
            assertEquals(c.expected() + "\n", run.out(), c.toString());
        }
    }

    @Test
    void theRefusedResourceBackendIsAWarningNamingTheIngress() throws Exception {
        final Run run = run("route", "-f", IngressCases.directory().toString(), "--host", "bucket.example.org", "--path", "/assets/x");
        assertEquals("default/bucket-web:80\n", run.out());
        assertTrue(run.err().contains("warning: Ingress default/bucket: ") && run.err().contains("resource backends"), run.err());
    }

    @Test
    void theDefaultBackendTakesWhatNoRuleMatchesAndAPortNameIsPrintedAsWritten() throws Exception {
        Files.writeString(dir.resolve("ing.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: site, namespace: web}
                spec:
                  defaultBackend: {service: {name: fallback, port: {name: http}}}
                  rules:
                  - host: site.example.com
                    http:
                      paths:
                      - {path: /app, pathType: Prefix, backend: {service: {name: app, port: {number: 8080}}}}
                """);
        assertEquals("web/app:8080\n", run("route", "-f", dir.toString(), "--host", "site.example.com", "--path", "/app/x").out());
        assertEquals("web/fallback:http\n", run("route", "-f", dir.toString(), "--host", "site.example.com", "--path", "/other").out());
        assertEquals("web/fallback:http\n", run("route", "-f", dir.toString(), "--host", "elsewhere.org", "--path", "/").out());
    }

    @Test
    void badYamlIsAnErrorNamingTheFileAndTheObjectWithExit2() throws Exception {
        Files.writeString(dir.resolve("good.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: ok, namespace: default}
                spec: {defaultBackend: {service: {name: s, port: {number: 80}}}}
                """);
        Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: broken, namespace: shop}
                spec:
                  rules: "this should be a list"
                """);
        final Run run = run("route", "-f", dir.toString(), "--host", "a", "--path", "/");
        assertEquals(2, run.exit());
        assertEquals("", run.out());
        assertTrue(run.err().contains("bad.yaml") && run.err().contains("Ingress shop/broken"), run.err());

        Files.writeString(dir.resolve("bad.yaml"), "kind: [unclosed\n");
        final Run syntax = run("route", "-f", dir.toString(), "--host", "a", "--path", "/");
        assertEquals(2, syntax.exit());
        assertTrue(syntax.err().contains("bad.yaml") && syntax.err().contains("invalid YAML"), syntax.err());
    }

    @Test
    void badUsageIsExit2() throws Exception {
        assertEquals(2, run().exit());
        assertEquals(2, run("route", "--host", "a", "--path", "/").exit());
        assertEquals(2, run("route", "-f", IngressCases.directory().toString(), "--host", "a").exit());
        assertEquals(2, run("route", "-f", IngressCases.directory().toString(), "--host", "a", "--path", "relative").exit());
        assertEquals(2, run("route", "-f", dir.resolve("missing").toString(), "--host", "a", "--path", "/").exit());
        assertEquals(2, run("serve", "-f", IngressCases.directory().toString(), "--http-port", "99999").exit());
    }
}
