package io.isthmus.slowpath.ingress.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

/** The pipeline of a plain HTTP connection: HTTP/1.1 codec, requests made whole (an aggregator only for bodies), the proxy. */
final class HttpFrontendInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_INITIAL_LINE_BYTES = 8192;
    static final int MAX_HEADER_BYTES = 16384;

    private final ProxyContext proxy;

    HttpFrontendInitializer(ProxyContext proxy) {
        this.proxy = proxy;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        addHttp1(ch.pipeline(), proxy, false);
    }

    /**
     * Named handlers: with a null name Netty makes one per handler and connection (a class-name
     * cache lookup, a string, a scan of the pipeline for duplicates), on every accepted connection.
     */
    static void addHttp1(ChannelPipeline pipeline, ProxyContext proxy, boolean tls) {
        pipeline.addLast("http-codec", new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192))
                .addLast("bodyless-requests", new BodylessRequests(proxy.settings().maxBodyBytes())) // adds an aggregator when a request has a body
                .addLast("proxy", new FrontendHandler(proxy, tls, false));
    }
}
