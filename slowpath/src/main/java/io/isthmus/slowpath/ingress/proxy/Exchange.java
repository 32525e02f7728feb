package io.isthmus.slowpath.ingress.proxy;

import io.netty.handler.codec.http.FullHttpResponse;

/** What a backend connection reports about the one request it carries. Called on the event loop. */
interface Exchange {

    /** The backend answered; the receiver owns {@code response}. */
    void onResponse(FullHttpResponse response);

    /** The connection failed or closed before a complete response. */
    void onFailure(Throwable cause);
}
