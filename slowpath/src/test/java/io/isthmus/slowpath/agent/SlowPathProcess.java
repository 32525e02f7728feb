package io.isthmus.slowpath.agent;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.control.aeron.AeronFastpathControl;
import io.isthmus.fastpath.control.aeron.ControlEventListener;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.policy.model.NamespaceInfo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in slow path run as its OWN PROCESS by {@link SlowPathProcessTest}: connects to the fast
 * path's control channel, resynchronises one namespace record under the epoch it is given,
 * attaches the ports it is given (idempotent on the fast path), prints {@code READY} and waits for
 * stdin to close (or to be killed).
 *
 * <pre>
 *   args: AERON_DIR EPOCH [IFNAME=IP=MAC ...]
 * </pre>
 */
public final class SlowPathProcess {
    private SlowPathProcess() {
    }

    public static void main(String[] args) throws Exception {
        final Path aeron = Path.of(args[0]);
        final long epoch = Long.parseLong(args[1]);
        try (AeronFastpathControl control = AeronFastpathControl.connect(aeron, Duration.ofSeconds(20), ControlEventListener.NONE)) {
            control.beginSync(epoch);
            control.upsert(DesiredKind.POLICY_NAMESPACE, "ns-" + epoch, NamespaceInfo.of("ns-" + epoch, Map.of()));
            control.endSync(epoch);
            for (int i = 2; i < args.length; i++) {
                final String[] port = args[i].split("=");
                control.attachPort(new PortAttachment(port[0], Ipv4Address.parse(port[1]), MacAddress.parse(port[2]), port[0]))
                        .get(20, TimeUnit.SECONDS);
            }
            if (!control.awaitAnswers(Duration.ofSeconds(20))) {
                System.out.println("TIMEOUT");
                System.exit(1);
            }
            System.out.println("READY");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent closes stdin or kills us
            }
        }
    }
}
