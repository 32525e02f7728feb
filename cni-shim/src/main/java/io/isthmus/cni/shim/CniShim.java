package io.isthmus.cni.shim;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code isthmus} CNI plugin executable: what a container runtime runs for every pod sandbox.
 * It relays the request (the {@code CNI_*} environment and stdin) to the agent over a unix socket
 * and hands the agent's answer back: stdout, stderr and the exit code. It decides nothing itself,
 * except what must work without an agent: {@code VERSION}, and the "try again later" error
 * (code 11) when the agent cannot be reached.
 *
 * <p>It loads no library and parses no JSON, so the JVM starts it quickly.
 */
public final class CniShim {
    /** Where the agent listens unless {@code ISTHMUS_CNI_SOCKET} says otherwise. */
    public static final String DEFAULT_SOCKET = "/run/isthmus/cni.sock";
    private static final Pattern CNI_VERSION = Pattern.compile("\"cniVersion\"\\s*:\\s*\"([0-9A-Za-z.\\-]+)\"");

    private CniShim() {
    }

    public static void main(String[] args) throws IOException {
        final byte[] stdin = System.in.readAllBytes();
        final PrintStream stdout = new PrintStream(new BufferedOutputStream(System.out), false, StandardCharsets.UTF_8);
        final int exitCode = run(System.getenv(), stdin, stdout, System.err);
        stdout.flush();
        System.exit(exitCode);
    }

    static int run(Map<String, String> environment, byte[] stdin, PrintStream stdout, PrintStream stderr) {
        final String command = environment.getOrDefault("CNI_COMMAND", "");
        final String requestVersion = cniVersionOf(stdin);
        if (command.equals("VERSION")) {
            stdout.print(CniVersions.versionResult(requestVersion));
            return 0;
        }
        final Map<String, String> cniEnvironment = new TreeMap<>();
        environment.forEach((key, value) -> {
            if (key.startsWith("CNI_")) {
                cniEnvironment.put(key, value);
            }
        });
        final Path socket = Path.of(environment.getOrDefault("ISTHMUS_CNI_SOCKET", DEFAULT_SOCKET));
        final CniWire.Response response;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
            CniWire.writeRequest(out, new CniWire.Request(cniEnvironment, stdin));
            response = CniWire.readResponse(new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel))));
        } catch (IOException e) {
            stdout.print(CniErrorJson.of(requestVersion, CniErrorJson.TRY_AGAIN_LATER,
                    "Isthmus agent not reachable at " + socket, String.valueOf(e.getMessage())));
            return 1;
        }
        stdout.write(response.stdout(), 0, response.stdout().length);
        stderr.write(response.stderr(), 0, response.stderr().length);
        return response.exitCode();
    }

    /** The request's cniVersion, found without a JSON parser; the newest we speak when absent. */
    static String cniVersionOf(byte[] stdin) {
        final Matcher matcher = CNI_VERSION.matcher(new String(stdin, StandardCharsets.UTF_8));
        return matcher.find() ? matcher.group(1) : CniVersions.NEWEST;
    }
}
