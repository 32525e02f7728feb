package io.isthmus.slowpath.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.cni.shim.CniShim;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CNI specification's cases, driven as a container runtime drives a plugin: the shim is
 * executed as a process with the CNI_* environment and the configuration on stdin, and its stdout
 * and exit code are read. Behind the agent's server sits an in-memory backend.
 */
class CniShimProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private CniServer server;
    private InMemoryPodNetworkBackend backend;

    @BeforeEach
    void startAgent() throws IOException {
        backend = new InMemoryPodNetworkBackend();
        server = CniServer.start(dir.resolve("run/cni.sock"),
                new CniHandler(new IpamStore(dir.resolve("ipam"), Ipv4Cidr.parse("10.244.1.0/24")), backend));
    }

    @AfterEach
    void stopAgent() throws IOException {
        server.close();
    }

    record Outcome(int exitCode, String stdout) {
        JsonNode json() throws IOException {
            return JSON.readTree(stdout);
        }
    }

    private static String config(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"isthmus-net\",\"type\":\"isthmus\",\"dns\":{\"nameservers\":[\"10.96.0.10\"]}}";
    }

    private Outcome shim(Map<String, String> env, String stdin) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), CniShim.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("CNI_"));
        builder.environment().put("ISTHMUS_CNI_SOCKET", server.socketPath().toString());
        builder.environment().putAll(env);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "shim did not finish");
        return new Outcome(process.exitValue(), out);
    }

    private Outcome run(String command, String containerId, String stdin) throws Exception {
        return shim(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", containerId, "CNI_NETNS", "/var/run/netns/" + containerId,
                "CNI_IFNAME", "eth0", "CNI_PATH", "/opt/cni/bin"), stdin);
    }

    private static void assertError(Outcome outcome, int code) throws IOException {
        assertTrue(outcome.exitCode() != 0, "error exits non-zero: " + outcome);
        assertEquals(code, outcome.json().path("code").asInt(), outcome.stdout());
        assertTrue(outcome.json().path("msg").asText().length() > 0, outcome.stdout());
    }

    @Test
    void versionListsEverySupportedVersion() throws Exception {
        Outcome outcome = shim(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}");
        assertEquals(0, outcome.exitCode());
        assertEquals("1.0.0", outcome.json().path("cniVersion").asText());
        assertEquals("[\"0.4.0\",\"1.0.0\",\"1.1.0\"]", outcome.json().path("supportedVersions").toString());
    }

    @Test
    void addReturnsHostAndContainerInterfacesAddressGatewayRoutesAndDns() throws Exception {
        Outcome outcome = run("ADD", "pod-a", config("1.1.0"));
        assertEquals(0, outcome.exitCode(), outcome.stdout());
        JsonNode result = outcome.json();
        assertEquals("1.1.0", result.path("cniVersion").asText());
        JsonNode host = result.path("interfaces").get(0);
        JsonNode pod = result.path("interfaces").get(1);
        assertEquals(PodAttachment.hostInterfaceName("pod-a", "eth0"), host.path("name").asText());
        assertEquals("", host.path("sandbox").asText());
        assertEquals("eth0", pod.path("name").asText());
        assertEquals("/var/run/netns/pod-a", pod.path("sandbox").asText());
        assertTrue(pod.path("mac").asText().matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"));
        JsonNode ip = result.path("ips").get(0);
        assertTrue(ip.path("address").asText().matches("10\\.244\\.1\\.\\d+/32"), ip.toString());
        assertEquals("169.254.1.1", ip.path("gateway").asText());
        assertEquals(1, ip.path("interface").asInt());
        assertTrue(ip.path("version").isMissingNode(), "1.x results carry no ips[].version");
        assertEquals("0.0.0.0/0", result.path("routes").get(0).path("dst").asText());
        assertEquals("10.96.0.10", result.path("dns").path("nameservers").get(0).asText());
    }

    @Test
    void version040ResultsMarkTheAddressFamily() throws Exception {
        Outcome outcome = run("ADD", "pod-old", config("0.4.0"));
        assertEquals(0, outcome.exitCode(), outcome.stdout());
        assertEquals("0.4.0", outcome.json().path("cniVersion").asText());
        assertEquals("4", outcome.json().path("ips").get(0).path("version").asText());
    }

    @Test
    void addTwiceForTheSameContainerAndInterfaceFails() throws Exception {
        assertEquals(0, run("ADD", "pod-a", config("1.0.0")).exitCode());
        assertError(run("ADD", "pod-a", config("1.0.0")), CniException.ALREADY_ATTACHED);
    }

    @Test
    void deleteIsIdempotentForUnknownAndRemovedContainersAndMissingNetns() throws Exception {
        assertEquals(0, run("DEL", "never-added", config("1.1.0")).exitCode());
        assertEquals(0, run("ADD", "pod-a", config("1.1.0")).exitCode());
        assertEquals(0, run("DEL", "pod-a", config("1.1.0")).exitCode());
        assertTrue(backend.attachments.isEmpty());
        assertEquals(0, run("DEL", "pod-a", config("1.1.0")).exitCode());
        Outcome noNetns = shim(Map.of("CNI_COMMAND", "DEL", "CNI_CONTAINERID", "pod-b", "CNI_IFNAME", "eth0", "CNI_PATH", "/opt/cni/bin"), config("1.1.0"));
        assertEquals(0, noNetns.exitCode(), noNetns.stdout());
    }

    @Test
    void anAddressComesBackAfterDelete() throws Exception {
        String first = run("ADD", "pod-a", config("1.1.0")).json().path("ips").get(0).path("address").asText();
        run("DEL", "pod-a", config("1.1.0"));
        assertEquals(0, Files.list(dir.resolve("ipam/isthmus-net")).filter(p -> p.getFileName().toString().startsWith("10.")).count());
        assertTrue(first.startsWith("10.244.1."));
        Outcome again = run("ADD", "pod-a", config("1.1.0"));
        assertEquals(0, again.exitCode(), "the container can be added again: " + again.stdout());
        assertTrue(again.json().path("ips").get(0).path("address").asText().startsWith("10.244.1."));
    }

    @Test
    void checkComparesPrevResultWithLiveState() throws Exception {
        Outcome added = run("ADD", "pod-a", config("1.1.0"));
        String withPrev = config("1.1.0").replaceFirst("}$", ",\"prevResult\":" + added.stdout() + "}");
        Outcome ok = run("CHECK", "pod-a", withPrev);
        assertEquals(0, ok.exitCode(), ok.stdout());
        assertEquals("", ok.stdout());

        backend.attachments.clear(); // someone deleted the interface behind our back
        assertError(run("CHECK", "pod-a", withPrev), CniException.CHECK_FAILED);
        assertError(run("CHECK", "pod-a", config("1.1.0")), CniException.INVALID_NETWORK_CONFIG);
        assertError(run("CHECK", "pod-unknown", withPrev), CniException.UNKNOWN_CONTAINER);
    }

    @Test
    void gcRemovesAttachmentsNotListedAsValid() throws Exception {
        run("ADD", "keep", config("1.1.0"));
        run("ADD", "stale", config("1.1.0"));
        String gc = config("1.1.0").replaceFirst("}$", ",\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\",\"ifname\":\"eth0\"}]}");
        Outcome outcome = shim(Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/opt/cni/bin"), gc);
        assertEquals(0, outcome.exitCode(), outcome.stdout());
        assertEquals(List.of(PodAttachment.hostInterfaceName("keep", "eth0")), List.copyOf(backend.attachments.keySet()));
        assertEquals(CniException.ALREADY_ATTACHED, run("ADD", "keep", config("1.1.0")).json().path("code").asInt());
        assertEquals(0, run("ADD", "stale", config("1.1.0")).exitCode(), "the stale attachment's state is gone");
    }

    @Test
    void statusIsZeroWhenReadyAndFiftyWhenNot() throws Exception {
        assertEquals(0, shim(Map.of("CNI_COMMAND", "STATUS"), config("1.1.0")).exitCode());
        backend.unavailable = "AF_XDP is not available";
        assertError(shim(Map.of("CNI_COMMAND", "STATUS"), config("1.1.0")), CniException.PLUGIN_NOT_AVAILABLE);
    }

    @Test
    void wellKnownErrorCodes() throws Exception {
        assertError(run("ADD", "pod-a", config("0.3.1")), CniException.INCOMPATIBLE_VERSION);
        assertError(shim(Map.of("CNI_COMMAND", "ADD", "CNI_NETNS", "/x", "CNI_IFNAME", "eth0"), config("1.1.0")), CniException.INVALID_ENVIRONMENT);
        assertError(shim(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "a", "CNI_NETNS", "/x", "CNI_IFNAME", "this-name-is-too-long"), config("1.1.0")), CniException.INVALID_ENVIRONMENT);
        assertError(shim(Map.of("CNI_COMMAND", "BOGUS"), config("1.1.0")), CniException.INVALID_ENVIRONMENT);
        assertError(run("ADD", "pod-a", "{not json"), CniException.UNDECODABLE_CONTENT);
        assertError(run("ADD", "pod-a", "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"bridge\"}"), CniException.INVALID_NETWORK_CONFIG);
        assertError(run("ADD", "pod-a", "{\"cniVersion\":\"1.1.0\",\"type\":\"isthmus\"}"), CniException.INVALID_NETWORK_CONFIG);
        assertTrue(backend.attachments.isEmpty());
    }

    @Test
    void aFailedAddLeavesNoAddressBehind() throws Exception {
        backend.failNextAdd = true;
        assertError(run("ADD", "pod-a", config("1.1.0")), CniException.IO_FAILURE);
        assertEquals(0, run("ADD", "pod-a", config("1.1.0")).exitCode(), "the failed ADD released its address");
    }

    @Test
    void unreachableAgentIsTryAgainLater() throws Exception {
        server.close();
        Outcome outcome = run("ADD", "pod-a", config("1.0.0"));
        assertError(outcome, CniException.TRY_AGAIN_LATER);
        assertEquals("1.0.0", outcome.json().path("cniVersion").asText());
    }

    @Test
    void theSocketIsForRootOnly() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.socketPath())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.socketPath().getParent())));
    }
}
