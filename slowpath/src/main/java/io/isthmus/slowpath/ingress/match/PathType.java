package io.isthmus.slowpath.ingress.match;

/**
 * The {@code pathType} of an Ingress v1 path.
 *
 * <p>{@link #IMPLEMENTATION_SPECIFIC} is matched exactly as {@link #PREFIX} by Isthmus (unless the
 * Ingress asks for regular expressions, see {@link PathRule}).
 */
public enum PathType {
    EXACT("Exact"),
    PREFIX("Prefix"),
    IMPLEMENTATION_SPECIFIC("ImplementationSpecific");

    private final String apiName;

    PathType(String apiName) {
        this.apiName = apiName;
    }

    /** The name as written in YAML. */
    public String apiName() {
        return apiName;
    }

    /** The type named {@code apiName} as written in YAML, or null. */
    public static PathType ofApiName(String apiName) {
        for (PathType type : values()) {
            if (type.apiName.equals(apiName)) {
                return type;
            }
        }
        return null;
    }
}
