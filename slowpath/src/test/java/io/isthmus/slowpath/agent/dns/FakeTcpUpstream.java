package io.isthmus.slowpath.agent.dns;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in upstream nameserver over TCP on a loopback address (port 53 when asked, for a
 * resolv.conf, which has no port), answering every question with one fixed A record. Never the
 * machine's resolver.
 *
 * <p><b>Thread-safety:</b> one thread of its own accepts and answers; {@link #queries()} from any thread.
 */
public final class FakeTcpUpstream implements AutoCloseable {
    private final ServerSocket server;
    private final Thread thread;
    private final AtomicInteger queries = new AtomicInteger();
    private final InetAddress answer;
    private volatile boolean running = true;

    public FakeTcpUpstream(InetSocketAddress listen, String answer) throws IOException {
        this.answer = InetAddress.ofLiteral(answer);
        this.server = new ServerSocket();
        server.bind(listen);
        server.setSoTimeout(200);
        this.thread = Thread.ofPlatform().daemon().name("fake-tcp-upstream").start(this::serve);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    public int queries() {
        return queries.get();
    }

    private void serve() {
        while (running) {
            try (Socket client = server.accept()) {
                client.setSoTimeout(2_000);
                final DataInputStream in = new DataInputStream(client.getInputStream());
                final byte[] wire = new byte[in.readUnsignedShort()];
                in.readFully(wire);
                final Message query = new Message(wire);
                queries.incrementAndGet();
                final Message response = new Message(query.getHeader().getID());
                response.getHeader().setFlag(Flags.QR);
                response.getHeader().setFlag(Flags.RD);
                response.getHeader().setFlag(Flags.RA);
                response.addRecord(query.getQuestion(), Section.QUESTION);
                response.addRecord(new ARecord(query.getQuestion().getName(), DClass.IN, 60, answer), Section.ANSWER);
                final byte[] out = response.toWire();
                final OutputStream stream = client.getOutputStream();
                stream.write(new byte[]{(byte) (out.length >>> 8), (byte) out.length});
                stream.write(out);
                stream.flush();
            } catch (SocketTimeoutException e) {
                // look at running again
            } catch (IOException e) {
                if (running) {
                    System.err.println("fake tcp upstream: " + e);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        server.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
