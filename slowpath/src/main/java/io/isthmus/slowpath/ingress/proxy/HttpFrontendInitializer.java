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

    static void addHttp1(ChannelPipeline pipeline, ProxyContext proxy, boolean tls) {
        pipeline.addLast(new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192),
                new BodylessRequests(proxy.settings().maxBodyBytes()), // adds an aggregator when a request has a body
                new FrontendHandler(proxy, tls, false));
    }
}
