package io.isthmus.e2e;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the node's upstream resolver, on a loopback address of its own (127.53.x.y, port
 * 53: resolv.conf has no port), answering every A question with one fixed address. Lets a test
 * see that names outside the cluster are forwarded, without ever asking the machine's real resolver.
 *
 * <p><b>Thread-safety:</b> one thread of its own answers; {@link #queries()} from any thread.
 */
final class FakeUpstreamResolver implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final AtomicInteger queries = new AtomicInteger();
    private volatile boolean running = true;

    FakeUpstreamResolver(String answer) throws IOException {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final InetAddress address = InetAddress.ofLiteral("127.53." + random.nextInt(1, 255) + "." + random.nextInt(1, 255));
        socket = new DatagramSocket(new InetSocketAddress(address, 53));
        socket.setSoTimeout(200);
        final InetAddress answerAddress = InetAddress.ofLiteral(answer);
        thread = Thread.ofPlatform().daemon().name("fake-upstream-resolver").start(() -> serve(answerAddress));
    }

    private void serve(InetAddress answer) {
        final byte[] buffer = new byte[1500];
        while (running) {
            final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                final Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                queries.incrementAndGet();
                final Message response = new Message(query.getHeader().getID());
                response.getHeader().setFlag(Flags.QR);
                response.getHeader().setFlag(Flags.RD);
                response.getHeader().setFlag(Flags.RA);
                response.addRecord(query.getQuestion(), Section.QUESTION);
                response.addRecord(new ARecord(query.getQuestion().getName(), DClass.IN, 60, answer), Section.ANSWER);
                final byte[] wire = response.toWire();
                socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            } catch (SocketTimeoutException e) {
                // look at running again
            } catch (IOException e) {
                if (running) {
                    System.err.println("fake upstream resolver: " + e);
                }
            }
        }
    }

    /** The address to name in a resolv.conf. */
    String address() {
        return socket.getLocalAddress().getHostAddress();
    }

    int queries() {
        return queries.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        socket.close();
        thread.join(2_000);
    }
}
