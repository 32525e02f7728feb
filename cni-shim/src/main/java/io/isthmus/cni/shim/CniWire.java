package io.isthmus.cni.shim;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The framing between the shim and the agent's CNI server over a unix stream socket: one request,
 * one response, then the connection closes. All integers are big-endian.
 *
 * <pre>
 *  request                                  response
 *  +------------------+                     +------------------+
 *  | magic "ICN1" (4) |                     | magic "ICN1" (4) |
 *  | env count (4)    |                     | exit code (4)    |
 *  | { key, value }*  |  string = len(4)    | stdout  (bytes)  |  bytes = len(4) + data
 *  | stdin  (bytes)   |           + UTF-8   | stderr  (bytes)  |
 *  +------------------+                     +------------------+
 * </pre>
 *
 * Only the {@code CNI_*} variables travel: the runtime's other environment is none of the agent's
 * business. Sizes are bounded so a confused peer cannot make the other side allocate without limit.
 */
public final class CniWire {
    public static final int MAGIC = 0x49434E31; // "ICN1"
    public static final int MAX_STDIN_BYTES = 16 << 20;
    public static final int MAX_ENV_ENTRIES = 64;
    private static final int MAX_STRING_BYTES = 64 << 10;

    private CniWire() {
    }

    /** What the runtime gave the plugin. */
    public record Request(Map<String, String> environment, byte[] stdin) {
    }

    /** What the plugin gives back to the runtime. */
    public record Response(int exitCode, byte[] stdout, byte[] stderr) {
    }

    public static void writeRequest(DataOutputStream out, Request request) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(request.environment().size());
        for (Map.Entry<String, String> entry : request.environment().entrySet()) {
            writeString(out, entry.getKey());
            writeString(out, entry.getValue());
        }
        writeBytes(out, request.stdin());
        out.flush();
    }

    public static Request readRequest(DataInputStream in) throws IOException {
        checkMagic(in.readInt());
        final int count = in.readInt();
        if (count < 0 || count > MAX_ENV_ENTRIES) {
            throw new IOException("bad request: " + count + " environment entries");
        }
        final Map<String, String> environment = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            environment.put(readString(in), readString(in));
        }
        return new Request(environment, readBytes(in, MAX_STDIN_BYTES));
    }

    public static void writeResponse(DataOutputStream out, Response response) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(response.exitCode());
        writeBytes(out, response.stdout());
        writeBytes(out, response.stderr());
        out.flush();
    }

    public static Response readResponse(DataInputStream in) throws IOException {
        checkMagic(in.readInt());
        final int exitCode = in.readInt();
        return new Response(exitCode, readBytes(in, MAX_STDIN_BYTES), readBytes(in, MAX_STDIN_BYTES));
    }

    private static void checkMagic(int magic) throws IOException {
        if (magic != MAGIC) {
            throw new IOException(String.format("bad magic 0x%08x: not an Isthmus CNI peer", magic));
        }
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        writeBytes(out, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(readBytes(in, MAX_STRING_BYTES), StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in, int limit) throws IOException {
        final int length = in.readInt();
        if (length < 0 || length > limit) {
            throw new IOException("bad length " + length + " (limit " + limit + ")");
        }
        final byte[] bytes = new byte[length];
        in.readFully(bytes); // EOFException on a truncated message
        return bytes;
    }
}
