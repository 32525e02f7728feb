package io.isthmus.cni.shim;

/** The CNI error result, written without a JSON library (the shim loads nothing it can avoid). */
public final class CniErrorJson {
    /** Well-known codes of the CNI specification that the shim itself may give. */
    public static final int INCOMPATIBLE_VERSION = 1;
    public static final int INVALID_ENVIRONMENT = 4;
    public static final int IO_FAILURE = 5;
    public static final int UNDECODABLE_CONTENT = 6;
    public static final int TRY_AGAIN_LATER = 11;

    private CniErrorJson() {
    }

    public static String of(String cniVersion, int code, String msg, String details) {
        return "{\"cniVersion\":\"" + escape(cniVersion) + "\",\"code\":" + code + ",\"msg\":\"" + escape(msg)
                + "\"" + (details == null || details.isEmpty() ? "" : ",\"details\":\"" + escape(details) + "\"") + "}";
    }

    static String escape(String text) {
        final StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
