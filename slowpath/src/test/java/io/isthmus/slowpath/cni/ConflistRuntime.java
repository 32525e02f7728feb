package io.isthmus.slowpath.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a network configuration list the way a container runtime (libcni) does: ADD executes each
 * plugin in order with the list's name and cniVersion, the previous plugin's result as
 * {@code prevResult} and the capabilities it asks for as {@code runtimeConfig}; DEL runs them in
 * reverse with the cached ADD result. Plugins are looked up in {@code CNI_PATH}.
 */
final class ConflistRuntime {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Path> pluginDirs;
    private final Map<String, String> extraEnvironment;
    private final List<String> commandPrefix;

    ConflistRuntime(List<Path> pluginDirs, Map<String, String> extraEnvironment) {
        this(pluginDirs, extraEnvironment, List.of());
    }

    /** Every plugin runs as {@code commandPrefix + plugin} (e.g. {@code ip netns exec NODE}, to run it in a namespace playing the node). */
    ConflistRuntime(List<Path> pluginDirs, Map<String, String> extraEnvironment, List<String> commandPrefix) {
        this.pluginDirs = pluginDirs;
        this.extraEnvironment = extraEnvironment;
        this.commandPrefix = commandPrefix;
    }

    record Invocation(int exitCode, String stdout, String stderr, String plugin) {
    }

    /** Runs ADD through the chain; returns the last plugin's result (or the first failure). */
    Invocation add(String conflist, String containerId, String netns, String ifName, ObjectNode runtimeConfig) throws Exception {
        JsonNode list = JSON.readTree(conflist);
        JsonNode prevResult = null;
        Invocation last = null;
        for (JsonNode plugin : list.path("plugins")) {
            last = invoke("ADD", list, plugin, prevResult, containerId, netns, ifName, runtimeConfig);
            if (last.exitCode() != 0) {
                return last;
            }
            prevResult = JSON.readTree(last.stdout());
        }
        return last;
    }

    /** Runs DEL through the chain in reverse, each with the ADD result; returns the first failure or the last run. */
    Invocation delete(String conflist, String containerId, String netns, String ifName, ObjectNode runtimeConfig, JsonNode addResult) throws Exception {
        JsonNode list = JSON.readTree(conflist);
        List<JsonNode> plugins = new java.util.ArrayList<>();
        list.path("plugins").forEach(plugins::add);
        Invocation last = null;
        for (int i = plugins.size() - 1; i >= 0; i--) {
            last = invoke("DEL", list, plugins.get(i), addResult, containerId, netns, ifName, runtimeConfig);
            if (last.exitCode() != 0) {
                return last;
            }
        }
        return last;
    }

    private Invocation invoke(String command, JsonNode list, JsonNode plugin, JsonNode prevResult, String containerId,
                              String netns, String ifName, ObjectNode runtimeConfig) throws Exception {
        ObjectNode config = plugin.deepCopy();
        config.put("name", list.path("name").asText());
        config.put("cniVersion", list.path("cniVersion").asText());
        if (prevResult != null) {
            config.set("prevResult", prevResult);
        }
        ObjectNode runtime = JSON.createObjectNode();
        plugin.path("capabilities").properties().forEach(capability -> {
            if (capability.getValue().asBoolean() && runtimeConfig.has(capability.getKey())) {
                runtime.set(capability.getKey(), runtimeConfig.get(capability.getKey()));
            }
        });
        if (!runtime.isEmpty()) {
            config.set("runtimeConfig", runtime);
        }
        String type = plugin.path("type").asText();
        Path executable = find(type);
        List<String> commandLine = new java.util.ArrayList<>(commandPrefix);
        commandLine.add(executable.toString());
        ProcessBuilder builder = new ProcessBuilder(commandLine);
        builder.environment().keySet().removeIf(k -> k.startsWith("CNI_"));
        builder.environment().putAll(extraEnvironment);
        builder.environment().put("CNI_COMMAND", command);
        builder.environment().put("CNI_CONTAINERID", containerId);
        builder.environment().put("CNI_NETNS", netns);
        builder.environment().put("CNI_IFNAME", ifName);
        builder.environment().put("CNI_PATH", String.join(":", pluginDirs.stream().map(Path::toString).toList()));
        Process process = builder.start();
        process.getOutputStream().write(JSON.writeValueAsBytes(config));
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(type + " " + command + " did not finish in 60 s");
        }
        return new Invocation(process.exitValue(), stdout, stderr, type);
    }

    private Path find(String type) throws IOException {
        for (Path dir : pluginDirs) {
            Path candidate = dir.resolve(type);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no CNI plugin '" + type + "' in " + pluginDirs);
    }
}
