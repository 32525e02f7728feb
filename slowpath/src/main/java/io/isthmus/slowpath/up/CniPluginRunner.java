package io.isthmus.slowpath.up;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Executes the CNI plugins of a network configuration list exactly as a container runtime
 * (libcni) does: one process per plugin found in {@code CNI_PATH}, the {@code CNI_*} variables
 * in its environment ({@code CNI_ARGS} naming the pod as kubelet does), its configuration (with the list's name and cniVersion, and the previous
 * plugin's result as {@code prevResult}) on stdin, its result on stdout. ADD runs the plugins in
 * order, DEL in reverse with the ADD result.
 *
 * <p><b>Thread-safety:</b> immutable; each call starts its own processes.
 */
public final class CniPluginRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PLUGIN_TIMEOUT_SECONDS = 60;

    private final Path conflist;
    private final List<Path> pluginDirs;
    private final Map<String, String> extraEnvironment;

    /**
     * @param conflist         the network configuration list file
     * @param pluginDirs       {@code CNI_PATH}
     * @param extraEnvironment variables beyond {@code CNI_*} a runtime would pass on (e.g. the shim's
     *                         {@code ISTHMUS_CNI_SOCKET} when the agent listens elsewhere than the default)
     */
    public CniPluginRunner(Path conflist, List<Path> pluginDirs, Map<String, String> extraEnvironment) {
        this.conflist = conflist;
        this.pluginDirs = List.copyOf(pluginDirs);
        this.extraEnvironment = Map.copyOf(extraEnvironment);
    }

    /** Writes the list {@code up} uses: the Isthmus plugin alone, spec 1.0.0. */
    public static void writeIsthmusConflist(Path file) throws IOException {
        UpState.writeAtomically(file, """
                {
                  "cniVersion": "1.0.0",
                  "name": "isthmus",
                  "plugins": [ { "type": "isthmus" } ]
                }
                """);
    }

    /** ADD through every plugin; returns the last result. Throws naming the plugin that failed. */
    public JsonNode add(String containerId, Path netns, String ifName, String cniArgs) throws IOException {
        final JsonNode list = readList();
        JsonNode result = null;
        for (JsonNode plugin : list.path("plugins")) {
            result = JSON.readTree(invoke("ADD", list, plugin, result, containerId, netns, ifName, cniArgs));
        }
        if (result == null) {
            throw new IOException(conflist + " lists no plugins");
        }
        return result;
    }

    /** DEL through every plugin in reverse; {@code addResult} may be null (unknown after a crash). */
    public void delete(String containerId, Path netns, String ifName, String cniArgs, JsonNode addResult) throws IOException {
        final JsonNode list = readList();
        final List<JsonNode> plugins = new ArrayList<>();
        list.path("plugins").forEach(plugins::add);
        IOException firstFailure = null;
        for (int i = plugins.size() - 1; i >= 0; i--) {
            try {
                invoke("DEL", list, plugins.get(i), addResult, containerId, netns, ifName, cniArgs);
            } catch (IOException e) { // DEL goes on through the chain: leave as little behind as possible
                firstFailure = firstFailure == null ? e : firstFailure;
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
    }

    private JsonNode readList() throws IOException {
        try {
            return JSON.readTree(Files.readString(conflist, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException("cannot read the CNI configuration " + conflist + ": " + e.getMessage(), e);
        }
    }

    private String invoke(String command, JsonNode list, JsonNode plugin, JsonNode prevResult, String containerId,
                          Path netns, String ifName, String cniArgs) throws IOException {
        final ObjectNode config = plugin.deepCopy();
        config.put("name", list.path("name").asText());
        config.put("cniVersion", list.path("cniVersion").asText());
        if (prevResult != null) {
            config.set("prevResult", prevResult);
        }
        final String type = plugin.path("type").asText();
        final ProcessBuilder builder = new ProcessBuilder(find(type).toString());
        builder.environment().keySet().removeIf(k -> k.startsWith("CNI_"));
        builder.environment().putAll(extraEnvironment);
        builder.environment().put("CNI_COMMAND", command);
        builder.environment().put("CNI_CONTAINERID", containerId);
        builder.environment().put("CNI_NETNS", netns.toString());
        builder.environment().put("CNI_IFNAME", ifName);
        builder.environment().put("CNI_ARGS", cniArgs);
        builder.environment().put("CNI_PATH", String.join(":", pluginDirs.stream().map(Path::toString).toList()));
        final ExternalCommand.Result result = ExternalCommand.run(PLUGIN_TIMEOUT_SECONDS, builder, JSON.writeValueAsBytes(config));
        if (!result.ok()) {
            final JsonNode error = parseOrNull(result.stdout());
            final String reason = error == null ? result.describe()
                    : error.path("msg").asText() + (error.path("details").asText().isEmpty() ? "" : " (" + error.path("details").asText() + ")")
                    + " [code " + error.path("code").asInt() + "]";
            throw new IOException("CNI " + command + " of " + containerId + " failed in plugin '" + type + "': " + reason);
        }
        return result.stdout().isBlank() ? "{}" : result.stdout();
    }

    private static JsonNode parseOrNull(String text) {
        try {
            return text.isBlank() ? null : JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private Path find(String type) throws IOException {
        for (Path dir : pluginDirs) {
            final Path candidate = dir.resolve(type);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no CNI plugin '" + type + "' in " + pluginDirs);
    }

    /** The first address of an ADD result without its prefix length ({@code 10.244.0.5}). */
    public static String firstAddress(JsonNode addResult) throws IOException {
        final String cidr = addResult.path("ips").path(0).path("address").asText();
        if (cidr.isEmpty()) {
            throw new IOException("the CNI result lists no address: " + addResult);
        }
        final int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }
}
