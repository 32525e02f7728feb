package io.isthmus.fastpath.control.aeron;

import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import org.agrona.DirectBuffer;

/**
 * Publishes punted frames and events on the reply stream, written in place into the log buffer
 * ({@code tryClaim}): no allocation, no copy but the frame's, no waiting. A punt or event that
 * finds the stream full or nobody listening is not sent (the caller counts it).
 *
 * <p><b>Thread-safety:</b> one thread per publisher (its claim and flyweights are its own); any
 * number of publishers share the publication.
 */
public final class EventPublisher {
    private final Publication publication;
    private final BufferClaim claim = new BufferClaim();
    private final EventFlyweight event = new EventFlyweight();
    private final PuntFlyweight punt = new PuntFlyweight();

    EventPublisher(Publication publication) {
        this.publication = publication;
    }

    /** True when the event went out. */
    public boolean event(short eventType, int portId, int code, long count) {
        if (publication.tryClaim(EventFlyweight.LENGTH, claim) <= 0) {
            return false;
        }
        event.write(claim.buffer(), claim.offset(), eventType, portId, code, count);
        claim.commit();
        return true;
    }

    /** True when the frame ({@code length} bytes of {@code frame} at {@code offset}) went out. */
    public boolean punt(int portId, int reason, DirectBuffer frame, int offset, int length) {
        final int messageLength = PuntFlyweight.FRAME_OFFSET + length;
        if (messageLength > publication.maxPayloadLength() || publication.tryClaim(messageLength, claim) <= 0) {
            return false;
        }
        punt.write(claim.buffer(), claim.offset(), portId, reason, frame, offset, length);
        claim.commit();
        return true;
    }
}
