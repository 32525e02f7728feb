package io.isthmus.slowpath.ingress.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * What a backend connection reports about the one request it carries, as the response streams
 * in: the head, then content pieces, the last one marked. Called on the event loop.
 */
interface Exchange {

    /** The status line and headers (1xx interim responses are not reported). */
    void onResponseHead(HttpResponse head);

    /** A piece of the body; the receiver owns {@code content}. {@code last}: the response is complete. */
    void onResponseContent(HttpContent content, boolean last);

    /** The connection failed or closed before the response was complete. */
    void onFailure(Throwable cause);
}
