package io.isthmus.slowpath.log;

import java.util.logging.LogManager;

/**
 * The JVM's {@link LogManager} for {@code isthmus} (named by the system property
 * {@code java.util.logging.manager}, which {@code Main} sets before anything logs). The JDK's own
 * manager resets itself in a shutdown hook, removing every handler while other shutdown hooks
 * (tearing down pods, detaching ports) still run, so their log lines would be lost; once
 * {@link LogSetup#install} has run, this one keeps the handler to the end.
 *
 * <p><b>Thread-safety:</b> as {@link LogManager}.
 */
public final class ShutdownSafeLogManager extends LogManager {
    /** The class name to give {@code java.util.logging.manager}. */
    public static final String CLASS_NAME = ShutdownSafeLogManager.class.getName();

    public ShutdownSafeLogManager() {
        super();
    }

    @Override
    public void reset() {
        if (!LogSetup.installed()) {
            super.reset();
        }
    }
}
