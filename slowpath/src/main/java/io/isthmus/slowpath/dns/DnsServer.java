package io.isthmus.slowpath.dns;

import io.isthmus.dns.answer.AnswerEngine;
import io.isthmus.dns.answer.Transport;
import io.isthmus.dns.wire.DnsHeaderDescriptor;
import io.isthmus.dns.zone.Zone;
import io.isthmus.slowpath.net.AcceptLoop;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Serves a {@link Zone} over UDP and TCP on one address and port, answering with the
 * {@link AnswerEngine} in place in each thread's own buffer.
 *
 * <ul>
 *   <li>UDP: {@code udpThreads} threads, each with its own socket bound to the same port with
 *       {@code SO_REUSEPORT} (the kernel spreads the clients). On Linux each thread takes up to
 *       32 queries per {@code recvmmsg}, answers them in place in their slots and sends the
 *       answers with one {@code sendmmsg} ({@link MmsgUdpSocket}); elsewhere (or with
 *       {@link UdpBackend#NIO}) a blocking DatagramChannel, one query at a time. Responses are
 *       limited to 512 bytes or the client's EDNS0 size (TC beyond).</li>
 *   <li>TCP: the 2-byte length prefix (RFC 1035 section 4.2.2, RFC 7766), any number of queries
 *       per connection, answered in order; a connection idle for {@code tcpIdleTimeoutMs} is
 *       closed; at most {@code maxTcpConnections} at once (more are closed at accept). One
 *       virtual thread per connection.</li>
 * </ul>
 * A query the engine will not answer (shorter than a header, or a response) is dropped; over TCP
 * it also closes the connection. Over TCP, names outside the cluster domain are REFUSED, or handed
 * to an {@link OutsideZone} when one is given (the agent forwards them upstream over TCP).
 *
 * <p>Thread-safety: {@link #zone(Zone)} may be called from any thread: the zone is a volatile
 * reference read once per query, so a query sees either the old zone or the new one, whole.
 */
public final class DnsServer implements Closeable {
    /** A UDP query larger than this is truncated by the kernel and answered FORMERR. */
    private static final int UDP_BUFFER_BYTES = DnsHeaderDescriptor.MAX_MESSAGE_BYTES;
    /** One recvmmsg slot: a query longer than this arrives truncated and is answered FORMERR. */
    private static final int MMSG_SLOT_BYTES = 4096;
    private static final int TCP_BUFFER_BYTES = 2 + DnsHeaderDescriptor.MAX_MESSAGE_BYTES;

    /** How the server runs. */
    public record Options(int udpThreads, long tcpIdleTimeoutMs, int maxTcpConnections, int maxUdpPayloadBytes, UdpBackend udpBackend) {
        public Options(int udpThreads, long tcpIdleTimeoutMs, int maxTcpConnections, int maxUdpPayloadBytes) {
            this(udpThreads, tcpIdleTimeoutMs, maxTcpConnections, maxUdpPayloadBytes, UdpBackend.BEST);
        }

        public static Options defaults() {
            return new Options(Runtime.getRuntime().availableProcessors(), 10_000, 256, AnswerEngine.DEFAULT_MAX_UDP_PAYLOAD_BYTES);
        }

        public Options withUdpThreads(int threads) {
            return new Options(threads, tcpIdleTimeoutMs, maxTcpConnections, maxUdpPayloadBytes, udpBackend);
        }

        public Options withTcpIdleTimeoutMs(long timeoutMs) {
            return new Options(udpThreads, timeoutMs, maxTcpConnections, maxUdpPayloadBytes, udpBackend);
        }

        public Options withUdpBackend(UdpBackend backend) {
            return new Options(udpThreads, tcpIdleTimeoutMs, maxTcpConnections, maxUdpPayloadBytes, backend);
        }
    }

    /** How UDP is read and written. */
    public enum UdpBackend {
        /** recvmmsg/sendmmsg through FFM, 32 datagrams per system call (Linux, 64-bit). */
        MMSG,
        /** A blocking NIO DatagramChannel, one datagram per call: portable. */
        NIO,
        /** MMSG where available, else NIO. */
        BEST
    }

    private final AnswerEngine engine;
    private final Options options;
    private final List<DatagramChannel> udpChannels = new ArrayList<>();
    private final List<MmsgUdpSocket> mmsgSockets = new ArrayList<>();
    private final List<Thread> udpThreads = new ArrayList<>();
    private final ServerSocket tcpListener;
    private final Thread tcpAcceptor;
    private final ExecutorService tcpConnections = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore tcpSlots;
    private final InetSocketAddress boundAddress;
    private volatile Zone zone;
    private volatile boolean closed;
    /** TCP queries for names outside the cluster domain go here; null: they are REFUSED. */
    private final OutsideZone outsideZone;

    /**
     * Answers a TCP query for a name outside the cluster domain (the agent: an upstream over TCP).
     * Called on the connection's own virtual thread; may block up to its own timeout.
     */
    @FunctionalInterface
    public interface OutsideZone {
        /**
         * The response to {@code query[offset, offset + length)}, written at {@code response[responseOffset..]};
         * returns its length, or 0 for no answer (the connection is closed).
         */
        int answer(byte[] query, int offset, int length, byte[] response, int responseOffset);
    }

    private DnsServer(Zone zone, InetSocketAddress listen, Options options) throws IOException {
        this(zone, listen, options, null);
    }

    private DnsServer(Zone zone, InetSocketAddress listen, Options options, OutsideZone outsideZone) throws IOException {
        this.outsideZone = outsideZone;
        this.zone = zone;
        this.options = options;
        this.engine = new AnswerEngine(options.maxUdpPayloadBytes());
        this.tcpSlots = new Semaphore(options.maxTcpConnections());
        boolean started = false;
        ServerSocket listener = null;
        try {
            // TCP first on the requested port (0: ephemeral); UDP then takes the same number.
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(listen, 512);
            this.boundAddress = new InetSocketAddress(listen.getAddress(), listener.getLocalPort());
            final boolean mmsg = options.udpBackend() == UdpBackend.MMSG
                    || (options.udpBackend() == UdpBackend.BEST && MmsgUdpSocket.available());
            for (int i = 0; mmsg && i < Math.max(1, options.udpThreads()); i++) {
                mmsgSockets.add(new MmsgUdpSocket(boundAddress, Math.max(MMSG_SLOT_BYTES, options.maxUdpPayloadBytes())));
            }
            for (int i = 0; !mmsg && i < Math.max(1, options.udpThreads()); i++) {
                final DatagramChannel channel = DatagramChannel.open(listen.getAddress() instanceof java.net.Inet6Address
                        ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                channel.bind(boundAddress);
                udpChannels.add(channel);
            }
            this.tcpListener = listener;
            started = true;
        } finally {
            if (!started) {
                if (listener != null) {
                    listener.close();
                }
                for (DatagramChannel channel : udpChannels) {
                    channel.close();
                }
                for (MmsgUdpSocket socket : mmsgSockets) {
                    socket.close();
                    socket.release();
                }
            }
        }
        for (int i = 0; i < mmsgSockets.size(); i++) {
            final MmsgUdpSocket socket = mmsgSockets.get(i);
            udpThreads.add(Thread.ofPlatform().daemon().name("dns-udp-mmsg-" + i).start(() -> serveUdp(socket)));
        }
        for (int i = 0; i < udpChannels.size(); i++) {
            final DatagramChannel channel = udpChannels.get(i);
            final Thread thread = Thread.ofPlatform().daemon().name("dns-udp-" + i).start(() -> serveUdp(channel));
            udpThreads.add(thread);
        }
        this.tcpAcceptor = Thread.ofPlatform().daemon().name("dns-tcp-accept").start(this::acceptTcp);
    }

    /** Binds UDP and TCP on {@code listen} (port 0: one ephemeral port for both) and starts serving. */
    public static DnsServer start(Zone zone, InetSocketAddress listen, Options options) throws IOException {
        return new DnsServer(zone, listen, options);
    }

    /**
     * As {@link #start(Zone, InetSocketAddress, Options)}; TCP queries for names outside the
     * cluster domain are handed to {@code outsideZone} instead of being REFUSED (UDP unchanged).
     */
    public static DnsServer start(Zone zone, InetSocketAddress listen, Options options, OutsideZone outsideZone) throws IOException {
        return new DnsServer(zone, listen, options, outsideZone);
    }

    /** The address and port actually bound (the same port for UDP and TCP). */
    public InetSocketAddress address() {
        return boundAddress;
    }

    /** Replaces the zone; queries after this call see the new one. */
    public void zone(Zone next) {
        this.zone = next;
    }

    /** The UDP backend in use: {@code MMSG} or {@code NIO}. */
    public UdpBackend udpBackend() {
        return mmsgSockets.isEmpty() ? UdpBackend.NIO : UdpBackend.MMSG;
    }

    private void serveUdp(MmsgUdpSocket socket) {
        final MemorySegment buffers = socket.buffers();
        final int slotBytes = socket.slotBytes();
        try {
            while (true) {
                final int received = socket.receive();
                if (received < 0) {
                    return;
                }
                final Zone current = zone;
                for (int slot = 0; slot < received; slot++) {
                    final int length = engine.answer(current, buffers, (long) slot * slotBytes, socket.receivedLength(slot), slotBytes, Transport.UDP);
                    if (length > 0) {
                        socket.respond(slot, length);
                    }
                }
                socket.flush();
            }
        } finally {
            socket.release();
        }
    }

    private void serveUdp(DatagramChannel channel) {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(UDP_BUFFER_BYTES);
        final MemorySegment segment = MemorySegment.ofBuffer(buffer);
        while (!closed) {
            try {
                buffer.clear();
                final SocketAddress client = channel.receive(buffer);
                if (client == null) {
                    continue;
                }
                final int length = engine.answer(zone, segment, 0, buffer.position(), UDP_BUFFER_BYTES, Transport.UDP);
                if (length > 0) {
                    buffer.clear().limit(length);
                    channel.send(buffer, client);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // A send to a vanished client (ICMP port unreachable reported late): keep serving.
                if (closed) {
                    return;
                }
            }
        }
    }

    private void acceptTcp() {
        new AcceptLoop<>("DNS over TCP", tcpListener::accept, this::dispatchTcp, () -> !closed).run(); // pauses after failed accepts
    }

    private void dispatchTcp(Socket socket) {
        if (!tcpSlots.tryAcquire()) {
            closeQuietly(socket);
            return;
        }
        tcpConnections.execute(() -> {
            try {
                serveTcp(socket);
            } finally {
                tcpSlots.release();
                closeQuietly(socket);
            }
        });
    }

    private void serveTcp(Socket socket) {
        final byte[] buffer = new byte[TCP_BUFFER_BYTES];
        final MemorySegment segment = MemorySegment.ofArray(buffer);
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, options.tcpIdleTimeoutMs()));
            socket.setTcpNoDelay(true);
            final DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 4096));
            final OutputStream out = socket.getOutputStream();
            while (!closed) {
                final int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException | SocketTimeoutException e) {
                    return; // the client closed, or stayed idle too long
                }
                in.readFully(buffer, 2, length);
                int responseLength = outsideZone == null
                        ? engine.answer(zone, segment, 2, length, DnsHeaderDescriptor.MAX_MESSAGE_BYTES, Transport.TCP)
                        : engine.answerOrPunt(zone, segment, 2, length, DnsHeaderDescriptor.MAX_MESSAGE_BYTES, Transport.TCP);
                if (responseLength == AnswerEngine.OUTSIDE_ZONE) {
                    final byte[] query = java.util.Arrays.copyOfRange(buffer, 2, 2 + length);
                    responseLength = outsideZone.answer(query, 0, length, buffer, 2);
                }
                if (responseLength <= AnswerEngine.NO_RESPONSE) {
                    return;
                }
                buffer[0] = (byte) (responseLength >>> 8);
                buffer[1] = (byte) responseLength;
                out.write(buffer, 0, 2 + responseLength);
                out.flush();
            }
        } catch (IOException e) {
            // The connection broke or timed out mid-message: nothing to answer.
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Stops serving: closes every socket and waits (bounded) for the threads to end. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(tcpListener);
        udpChannels.forEach(DnsServer::closeQuietly);
        mmsgSockets.forEach(MmsgUdpSocket::close);
        tcpConnections.shutdownNow();
        try {
            for (Thread thread : udpThreads) {
                thread.join(2_000);
            }
            tcpAcceptor.join(2_000);
            tcpConnections.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
