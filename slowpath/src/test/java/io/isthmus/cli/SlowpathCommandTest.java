package io.isthmus.cli;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.isthmus.slowpath.apiserver.EmbeddedApiServer;
import io.isthmus.slowpath.controlplane.ServiceAllocation;
import io.isthmus.slowpath.log.LogSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlowpathCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return new SlowpathCommand(new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    @Test
    void localOncePrintsTheTablesTheFastPathWouldGet(@TempDir Path dir) throws Exception {
        try (EmbeddedApiServer server = EmbeddedApiServer.start(0, List.of(ServiceAllocation.defaults()));
             KubernetesClient client = server.newClient()) {
            client.services().resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                    .withNewSpec().withType("NodePort").addNewPort().withName("http").withPort(80).endPort().endSpec().build()).create();
            final Path kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"));
            final ByteArrayOutputStream log = new ByteArrayOutputStream();
            LogSetup.install(LogSetup.Settings.DEFAULT, log);
            try {
                assertEquals(0, run("--kubeconfig", kubeconfig.toString(), "--control", "local", "--node", "node-a",
                        "--node-ip", "192.168.1.10", "--once"), err.toString());
            } finally {
                LogSetup.install(LogSetup.Settings.DEFAULT);
            }
            final String tables = out.toString();
            assertTrue(tables.contains("10.96.0.1:80/TCP cluster-ip no-endpoints=REJECT"), tables);
            assertTrue(tables.contains("192.168.1.10:30000/TCP node-port no-endpoints=REJECT"), tables);
            assertTrue(tables.contains("web.default.svc.cluster.local A: answer web.default.svc.cluster.local 5 A 10.96.0.1"), tables);
            assertTrue(log.toString().matches("(?s).*level=info logger=io.isthmus.cli.SlowpathCommand thread=\\S+ msg=\"published\" services=\\d+ .*"),
                    log.toString());
        }
    }

    @Test
    void badUsageSaysWhyAndExitsTwo(@TempDir Path dir) throws Exception {
        assertEquals(2, run("--control", "carrier-pigeon"));
        assertTrue(err.toString().contains("--control must be aeron:ipc or local"), err.toString());
        assertEquals(2, run("--control", "aeron:ipc"));
        assertTrue(err.toString().contains("needs --aeron-dir"), err.toString());
        assertEquals(2, run("--once", "--control", "aeron:ipc", "--aeron-dir", dir.toString()));
        assertEquals(2, run("--control", "local", "--node-ip", "not-an-ip"));
        assertEquals(2, run("--kubeconfig"));
        assertEquals(2, run("--frobnicate"));
    }

    @Test
    void aMissingKubeconfigIsNamed(@TempDir Path dir) {
        final Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.FileNotFoundException.class,
                () -> run("--kubeconfig", dir.resolve("nope").toString(), "--control", "local", "--once"));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }
}
