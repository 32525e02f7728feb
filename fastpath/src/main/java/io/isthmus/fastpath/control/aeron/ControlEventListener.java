package io.isthmus.fastpath.control.aeron;

/**
 * What the slow path hears from the fast path besides answers: punted frames and events. Called
 * on the client's polling thread; implementations hand work off rather than block it.
 */
public interface ControlEventListener {

    /** A frame the fast path could not finish ({@code frame} is a copy the listener may keep). */
    default void onPunt(int portId, int reason, byte[] frame) {
    }

    /** {@code count} events of {@code eventType} ({@link EventFlyweight#DROP}, ...) with {@code code} on {@code portId}. */
    default void onEvent(short eventType, int portId, int code, long count) {
    }

    ControlEventListener NONE = new ControlEventListener() {
    };
}
