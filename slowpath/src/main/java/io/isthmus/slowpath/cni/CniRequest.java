package io.isthmus.slowpath.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isthmus.cni.shim.CniVersions;

import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One CNI invocation, validated as the specification asks: the environment (code 4 when a
 * required variable is missing or malformed), stdin (code 6 when it is not a JSON object), the
 * version (code 1) and the network configuration (code 7).
 *
 * @param command     CNI_COMMAND
 * @param containerId CNI_CONTAINERID (empty for GC and STATUS)
 * @param netns       CNI_NETNS (may be empty for DEL)
 * @param ifName      CNI_IFNAME (empty for GC and STATUS)
 * @param cniVersion  the configuration's cniVersion
 * @param networkName the configuration's name
 * @param config      the whole network configuration
 */
public record CniRequest(CniCommand command, String containerId, String netns, String ifName,
                         String cniVersion, String networkName, ObjectNode config) {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The spec: alphanumeric first, then alphanumerics, '_', '.', '-'. */
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]*");
    /** Linux interface names: 1 to 15 bytes, not "." or "..", no '/', ':' or white space. */
    private static final Pattern INTERFACE_NAME = Pattern.compile("[^/:\\s]{1,15}");
    /** The plugin's type in a network configuration. */
    public static final String PLUGIN_TYPE = "isthmus";

    public static CniRequest parse(Map<String, String> environment, byte[] stdin) throws CniException {
        final String commandName = environment.getOrDefault("CNI_COMMAND", "");
        final CniCommand command;
        try {
            command = CniCommand.valueOf(commandName);
        } catch (IllegalArgumentException e) {
            throw new CniException(CniException.INVALID_ENVIRONMENT,
                    commandName.isEmpty() ? "CNI_COMMAND is not set" : "unknown CNI_COMMAND '" + commandName + "'");
        }
        final ObjectNode config = parseConfig(stdin, command);
        final String cniVersion = text(config, "cniVersion");
        if (cniVersion.isEmpty() && command != CniCommand.VERSION) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "the network configuration has no cniVersion");
        }
        if (!cniVersion.isEmpty() && !CniVersions.SUPPORTED.contains(cniVersion)) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "incompatible CNI version " + cniVersion,
                    "supported versions: " + String.join(", ", CniVersions.SUPPORTED));
        }
        String containerId = environment.getOrDefault("CNI_CONTAINERID", "");
        String ifName = environment.getOrDefault("CNI_IFNAME", "");
        final String netns = environment.getOrDefault("CNI_NETNS", "");
        if (command.namesAnAttachment()) {
            if (!CONTAINER_ID.matcher(containerId).matches()) {
                throw new CniException(CniException.INVALID_ENVIRONMENT,
                        containerId.isEmpty() ? "CNI_CONTAINERID is not set" : "CNI_CONTAINERID '" + containerId + "' is not a valid container ID");
            }
            if (!INTERFACE_NAME.matcher(ifName).matches() || ifName.equals(".") || ifName.equals("..")) {
                throw new CniException(CniException.INVALID_ENVIRONMENT,
                        ifName.isEmpty() ? "CNI_IFNAME is not set" : "CNI_IFNAME '" + ifName + "' is not a valid interface name");
            }
            if (netns.isEmpty() && command != CniCommand.DEL) {
                throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_NETNS is not set");
            }
        } else {
            containerId = "";
            ifName = "";
        }
        final String name = text(config, "name");
        final String type = text(config, "type");
        if (command != CniCommand.VERSION) {
            if (name.isEmpty()) {
                throw new CniException(CniException.INVALID_NETWORK_CONFIG, "the network configuration has no name");
            }
            if (!type.equals(PLUGIN_TYPE)) {
                throw new CniException(CniException.INVALID_NETWORK_CONFIG,
                        "the network configuration's type is '" + type + "', expected '" + PLUGIN_TYPE + "'");
            }
        }
        return new CniRequest(command, containerId, netns, ifName, cniVersion, name, config);
    }

    /** The configuration's prevResult, or null. */
    public JsonNode prevResult() {
        final JsonNode prev = config.get("prevResult");
        return prev == null || prev.isNull() ? null : prev;
    }

    private static ObjectNode parseConfig(byte[] stdin, CniCommand command) throws CniException {
        if (stdin.length == 0 && command == CniCommand.VERSION) {
            return JSON.createObjectNode();
        }
        final JsonNode node;
        try {
            node = JSON.readTree(stdin);
        } catch (IOException e) {
            throw new CniException(CniException.UNDECODABLE_CONTENT, "cannot decode the network configuration on stdin",
                    e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw new CniException(CniException.UNDECODABLE_CONTENT, "the network configuration on stdin is not a JSON object");
        }
        return object;
    }

    private static String text(JsonNode node, String field) throws CniException {
        final JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "'" + field + "' must be a string");
        }
        return value.asText();
    }
}
