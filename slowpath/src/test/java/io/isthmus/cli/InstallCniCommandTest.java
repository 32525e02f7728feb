package io.isthmus.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class InstallCniCommandTest {
    @TempDir
    Path dir;

    @Test
    void installsAnExecutablePluginThatAnswersVersionAndAnExampleConflist() throws Exception {
        // The shim must be a packaged jar (true under 'mvn verify'/'package', not when run from classes).
        String location = io.isthmus.cni.shim.CniShim.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assumeTrue(location.endsWith(".jar"), "the cni-shim module is not packaged as a jar in this run (" + location + ")");

        int exit = new InstallCniCommand().run(new String[]{dir.resolve("bin").toString(), "--conf-dir", dir.resolve("net.d").toString()});
        assertEquals(0, exit);

        Path plugin = dir.resolve("bin/isthmus");
        assertTrue(Files.isExecutable(plugin));
        // VERSION needs no agent; the environment is the runtime's
        ProcessBuilder builder = new ProcessBuilder(plugin.toString());
        builder.environment().put("CNI_COMMAND", "VERSION");
        Process version = builder.start();
        version.getOutputStream().write("{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        version.getOutputStream().close();
        String out = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(version.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, version.exitValue(), out);
        assertTrue(out.contains("\"supportedVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\"]"), out);

        String conflist = Files.readString(dir.resolve("net.d/10-isthmus.conflist"));
        assertTrue(conflist.contains("\"type\": \"isthmus\"") && conflist.contains("\"type\": \"portmap\"")
                && conflist.contains("\"type\": \"bandwidth\"") && conflist.contains("\"type\": \"tuning\""), conflist);
    }

    @Test
    void badUsageIsExitCodeTwo() throws Exception {
        assertEquals(2, new InstallCniCommand().run(new String[]{"--bogus"}));
        assertEquals(2, new InstallCniCommand().run(new String[]{"--conf-dir"}));
    }
}
