package io.isthmus.slowpath.cni;

/**
 * A CNI error result: a well-known code of the specification (1 to 99) or one of ours (100 and up),
 * a message and details. The server turns it into the error JSON on stdout and exit code 1.
 */
public final class CniException extends Exception {
    public static final int INCOMPATIBLE_VERSION = 1;
    public static final int UNSUPPORTED_FIELD = 2;
    public static final int UNKNOWN_CONTAINER = 3;
    public static final int INVALID_ENVIRONMENT = 4;
    public static final int IO_FAILURE = 5;
    public static final int UNDECODABLE_CONTENT = 6;
    public static final int INVALID_NETWORK_CONFIG = 7;
    public static final int TRY_AGAIN_LATER = 11;
    public static final int PLUGIN_NOT_AVAILABLE = 50;
    public static final int PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY = 51;
    /** Ours: ADD for a (network, container, interface) that is already attached. */
    public static final int ALREADY_ATTACHED = 100;
    /** Ours: the node's pod CIDR has no free address. */
    public static final int ADDRESSES_EXHAUSTED = 101;
    /** Ours: CHECK found the pod's interface, address or routes not as ADD left them. */
    public static final int CHECK_FAILED = 102;

    private final int code;
    private final String details;

    public CniException(int code, String message, String details) {
        super(message);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    public CniException(int code, String message) {
        this(code, message, "");
    }

    /** With the failure that caused it, kept for the agent's log. */
    public CniException(int code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.details = String.valueOf(cause);
    }

    public int code() {
        return code;
    }

    public String details() {
        return details;
    }
}
