package io.isthmus.fastpath.testing;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What a receiving end of a TCP stream test saw: "count sha256" of every byte until EOF. */
public final class StreamDigest {
    private StreamDigest() {
    }

    /** Reads {@code in} to its end; returns the byte count and the SHA-256 in hex, space-separated. */
    public static String countAndSha256(InputStream in) throws IOException {
        final MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        final byte[] buffer = new byte[256 * 1024];
        long count = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            sha.update(buffer, 0, n);
            count += n;
        }
        return count + " " + HexFormat.of().formatHex(sha.digest());
    }
}
