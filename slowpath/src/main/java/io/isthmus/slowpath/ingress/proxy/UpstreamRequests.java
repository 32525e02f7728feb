package io.isthmus.slowpath.ingress.proxy;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;


/** The request as sent to a backend pod: HTTP/1.1, rewritten target, forwarding headers. */
final class UpstreamRequests {
    private UpstreamRequests() {
    }

    /** Rewrites {@code request} in place (the proxy owns it) and returns it. */
    static FullHttpRequest rewrite(FullHttpRequest request, String target, String authority,
                                   CharSequence clientIp, CharSequence localPort, CharSequence scheme, boolean fromHttp2) {
        final boolean hadLength = request.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
        ForwardedHeaders.dropHopByHop(request.headers(), fromHttp2);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        request.setUri(target);
        if (authority != null && !authority.equals(request.headers().get(HttpHeaderNames.HOST))) {
            request.headers().set(HttpHeaderNames.HOST, authority); // HTTP/2: from :authority
        }
        ForwardedHeaders.addForwarded(request.headers(), clientIp, localPort, scheme, authority);
        final int length = request.content().readableBytes();
        if (length > 0 || hadLength) {
            request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        return request;
    }
}
