package io.isthmus.cni.shim;

import java.util.List;

/** The CNI specification versions Isthmus speaks; the shim and the agent use the same list. */
public final class CniVersions {
    /** Oldest first; the last is the newest, used for answers when the request names none. */
    public static final List<String> SUPPORTED = List.of("0.4.0", "1.0.0", "1.1.0");
    public static final String NEWEST = SUPPORTED.getLast();

    private CniVersions() {
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
