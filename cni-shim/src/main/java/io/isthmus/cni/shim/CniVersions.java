package io.isthmus.cni.shim;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The CNI specification versions Isthmus speaks; the shim and the agent use the same list. */
public final class CniVersions {
    /** Oldest first; the last is the newest, used for answers when the request names none. */
    public static final List<String> SUPPORTED = List.of("0.4.0", "1.0.0", "1.1.0");
    public static final String NEWEST = SUPPORTED.getLast();
    private static final Pattern CNI_VERSION = Pattern.compile("\"cniVersion\"\\s*:\\s*\"([0-9A-Za-z.\\-]+)\"");

    private CniVersions() {
    }

    /**
     * The cniVersion of a request's configuration (stdin), found without a JSON parser, for error
     * answers that must be given before or without parsing it; the newest we speak when absent.
     */
    public static String requestVersion(byte[] stdin) {
        final Matcher matcher = CNI_VERSION.matcher(new String(stdin, StandardCharsets.UTF_8));
        return matcher.find() ? matcher.group(1) : NEWEST;
    }

    /** The VERSION answer (the spec's "version result"). */
    public static String versionResult(String cniVersion) {
        final StringBuilder json = new StringBuilder("{\"cniVersion\":\"").append(cniVersion).append("\",\"supportedVersions\":[");
        for (int i = 0; i < SUPPORTED.size(); i++) {
            json.append(i == 0 ? "" : ",").append('"').append(SUPPORTED.get(i)).append('"');
        }
        return json.append("]}").toString();
    }
}
