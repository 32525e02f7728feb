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

/**
 * The {@code isthmus} CNI plugin executable: what a container runtime runs for every pod sandbox.
 * It relays the request (the {@code CNI_*} environment and stdin) to the agent over a unix socket
 * and hands the agent's answer back: stdout, stderr and the exit code. It decides nothing itself,
 * except what must work without an agent: {@code VERSION}, and the "try again later" error
 * (code 11) when the agent cannot be reached or closes the connection without answering. (An
 * agent that is slow answers "timed out" itself, also code 11: see the agent's {@code CniServer}.)
 *
 * <p>It loads no library and parses no JSON, so the JVM starts it quickly.
 */
public final class CniShim {
    /** Where the agent listens unless {@code ISTHMUS_CNI_SOCKET} says otherwise. */
    public static final String DEFAULT_SOCKET = "/run/isthmus/cni.sock";

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
        final String requestVersion = CniVersions.requestVersion(stdin);
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
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                stdout.print(CniErrorJson.of(requestVersion, CniErrorJson.TRY_AGAIN_LATER,
                        "Isthmus agent not reachable at " + socket, String.valueOf(e.getMessage())));
                return 1;
            }
            final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
            CniWire.writeRequest(out, new CniWire.Request(cniEnvironment, stdin));
            response = CniWire.readResponse(new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel))));
        } catch (IOException e) { // connected, but no whole answer: the agent stopped or broke the exchange
            stdout.print(CniErrorJson.of(requestVersion, CniErrorJson.TRY_AGAIN_LATER,
                    "Isthmus agent at " + socket + " closed the connection without answering", String.valueOf(e)));
            return 1;
        }
        stdout.write(response.stdout(), 0, response.stdout().length);
        stderr.write(response.stderr(), 0, response.stderr().length);
        return response.exitCode();
    }
}
