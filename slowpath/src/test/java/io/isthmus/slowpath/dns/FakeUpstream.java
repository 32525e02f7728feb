package io.isthmus.slowpath.dns;

import org.xbill.DNS.Message;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A resolver on 127.0.0.1 (an ephemeral port) for the forwarder's tests — never the node's real
 * resolver. {@code answer} turns each query into a response (dnsjava), or null to stay silent.
 * Every query it received is kept, in order.
 */
final class FakeUpstream implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final List<Message> queries = new CopyOnWriteArrayList<>();
    private volatile Function<Message, Message> answer;
    private volatile boolean running = true;

    FakeUpstream(Function<Message, Message> answer) throws IOException {
        this.answer = answer;
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(50);
        this.thread = new Thread(this::serve, "fake-upstream-" + socket.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    List<Message> queries() {
        return queries;
    }

    void answer(Function<Message, Message> next) {
        this.answer = next;
    }

    private void serve() {
        final byte[] buffer = new byte[65_535];
        while (running) {
            final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                final Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                queries.add(query);
                final Message response = answer.apply(query);
                if (response != null) {
                    final byte[] wire = response.toWire(65_535);
                    socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                }
            } catch (SocketTimeoutException e) {
                // poll running again
            } catch (IOException e) {
                if (running) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        socket.close();
        thread.join(5_000);
    }
}
