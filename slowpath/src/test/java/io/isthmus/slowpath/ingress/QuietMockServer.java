package io.isthmus.slowpath.ingress;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Silences fabric8's mock API server, which logs every request at INFO, for the ingress tests.
 * A test class holds the returned logger in a static field: java.util.logging keeps loggers only
 * weakly, and a collected logger forgets the level set.
 *
 * <p><b>Thread-safety:</b> call from class initialisation (the JVM serialises it).
 */
final class QuietMockServer {
    private QuietMockServer() {
    }

    /** Sets the mock server's logger to WARNING and returns it, to be held. */
    static Logger log() {
        final Logger log = Logger.getLogger("io.fabric8.mockwebserver");
        log.setLevel(Level.WARNING);
        return log;
    }
}
